#!/usr/bin/env python3
"""phimask on text nobody here wrote: commit histories, logs, planted leaks.

    run.py history REPO [REPO ...]   replay every non-merge commit reachable
                                     from HEAD with `phimask scan --history`:
                                     share of commits blocked, findings by
                                     entity, detector and file name
    run.py logs DIR [DIR ...]        scan log files: non-network findings per
                                     MB (IP, URL and EMAIL are network
                                     identifiers), by entity and detector
    run.py plant REPO                add one commit per patient fixture
                                     (fixtures.py: CSV, JSON, NDJSON, Python,
                                     JS, SQL, HL7 v2, FHIR, log lines, a chart
                                     excerpt) on top of a copy of REPO's
                                     history: share of planted commits blocked
                                     and of planted values covered by findings

REPO is a path to a git repository (bare or not); it is cloned to a
temporary directory first and never changed. Options: --phimask BIN (default:
target/release/phimask, else phimask on PATH), --json (one JSON summary on
stdout), -- ARGS (passed to phimask scan, e.g. `-- --report all`).
"""

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
NETWORK = {"IP", "URL", "EMAIL"}


def phimask_bin(given):
    if given:
        return os.path.abspath(given)
    built = os.path.join(TOP, "target", "release", "phimask")
    return built if os.path.exists(built) else shutil.which("phimask") or sys.exit("phimask not found: build it or pass --phimask")


def git(repo, *args, **kw):
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True, text=True, **kw).stdout


def clone(repo, into):
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", repo, into], check=True)
    return into


def scan_history(binary, repo, extra):
    """Findings (dicts) of `phimask scan --history` in `repo`."""
    proc = subprocess.run([binary, "scan", "--history", "--format", "jsonl", "--quiet", *extra], cwd=repo,
                          capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        sys.exit(f"phimask failed in {repo}: {proc.stderr.strip()}")
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def top(counter, n=10):
    return ", ".join(f"{k} {v}" for k, v in counter.most_common(n))


def history(args):
    binary = phimask_bin(args.phimask)
    results = []
    for repo in args.repos:
        with tempfile.TemporaryDirectory() as tmp:
            work = clone(repo, os.path.join(tmp, "repo"))
            head = git(work, "rev-parse", "HEAD").strip()
            total = int(git(work, "rev-list", "--count", "--no-merges", "HEAD"))
            found = scan_history(binary, work, args.extra)
        blocked = {f["commit"] for f in found}
        share = len(blocked) / total if total else 0.0
        result = {
            "repo": repo, "head": head, "commits": total, "blocked": len(blocked), "share": round(share, 4),
            "by_entity": collections.Counter(f["entity"] for f in found),
            "by_detector": collections.Counter(f["detector"] for f in found),
            "by_file": collections.Counter(os.path.basename(f["path"]) for f in found),
        }
        results.append(result)
        if not args.json:
            print(f"{repo} @ {head[:12]}: {len(blocked)}/{total} commits blocked ({100 * share:.2f}%), "
                  f"{len(found)} findings")
            if found:
                print(f"  entity:   {top(result['by_entity'])}")
                print(f"  detector: {top(result['by_detector'])}")
                print(f"  file:     {top(result['by_file'])}")
    if args.json:
        print(json.dumps(results, indent=1))


def logs(args):
    binary = phimask_bin(args.phimask)
    proc = subprocess.run([binary, "scan", "--format", "json", "--quiet", *args.extra, *args.dirs],
                          capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        sys.exit(f"phimask failed: {proc.stderr.strip()}")
    doc = json.loads(proc.stdout)
    findings = doc["findings"]
    mb = doc["summary"]["bytes"] / 1e6
    other = [f for f in findings if f["entity"] not in NETWORK]
    result = {
        "bytes": doc["summary"]["bytes"], "findings": len(findings), "non_network": len(other),
        "per_mb": round(len(other) / mb, 2) if mb else 0.0,
        "by_entity": collections.Counter(f["entity"] for f in other),
        "by_detector": collections.Counter(f["detector"] for f in other),
    }
    if args.json:
        print(json.dumps(result, indent=1))
        return
    print(f"{doc['summary']['files']} files, {mb:.2f} MB: {len(findings)} findings, {len(other)} non-network "
          f"= {result['per_mb']:.1f} per MB")
    if other:
        print(f"  entity:   {top(result['by_entity'])}")
        print(f"  detector: {top(result['by_detector'])}")


def plant(args):
    sys.path.insert(0, HERE)
    import fixtures

    binary = phimask_bin(args.phimask)
    planted = fixtures.all_fixtures(args.seed, args.people)
    with tempfile.TemporaryDirectory() as tmp:
        work = clone(args.repo, os.path.join(tmp, "repo"))
        env = dict(os.environ, GIT_AUTHOR_NAME="Planter", GIT_AUTHOR_EMAIL="planter@example.com",
                   GIT_COMMITTER_NAME="Planter", GIT_COMMITTER_EMAIL="planter@example.com")
        commits = {}
        for kind, path, text, _ in planted:
            full = os.path.join(work, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w", newline="") as f:
                f.write(text)
            subprocess.run(["git", "-C", work, "add", path], check=True, env=env)
            subprocess.run(["git", "-C", work, "commit", "-q", "--no-verify", "-m", f"add {kind} sample"],
                           check=True, env=env)
            commits[git(work, "rev-parse", "HEAD").strip()] = kind
        found = scan_history(binary, work, args.extra)
    by_commit = collections.defaultdict(list)
    for f in found:
        by_commit[f["commit"]].append(f)
    rows, blocked, covered, total = [], 0, 0, 0
    for (kind, path, text, spans), (commit, _) in zip(planted, commits.items()):
        hits = [f for f in by_commit.get(commit, []) if f["path"] == path]
        # Offsets in the output are bytes of the file; the fixtures are ASCII.
        marks = bytearray(len(text.encode()))
        for f in hits:
            marks[f["start"]:f["end"]] = b"\x01" * (f["end"] - f["start"])
        missed = []
        for value, start, end in spans:
            ok = all(marks[i] for i in range(start, end) if text[i].isalnum())
            covered += ok
            if not ok:
                missed.append(value)
        total += len(spans)
        blocked += bool(hits)
        rows.append({"kind": kind, "blocked": bool(hits), "values": len(spans), "missed": len(missed),
                     "missed_entities": collections.Counter(kind_of(v) for v in missed)})
        if not args.json:
            print(f"{kind:7} {'blocked' if hits else 'PASSED '} {len(spans) - len(missed)}/{len(spans)} values"
                  + (f"  missed: {top(rows[-1]['missed_entities'])}" if missed else ""))
            if args.verbose and missed:
                # The values are made up by fixtures.py: safe to print.
                print("        " + " | ".join(missed))
    result = {"repo": args.repo, "fixtures": len(planted), "blocked": blocked, "values": total, "covered": covered,
              "share_blocked": round(blocked / len(planted), 4), "share_covered": round(covered / total, 4),
              "rows": rows}
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        print(f"{blocked}/{len(planted)} planted commits blocked; {covered}/{total} planted values covered "
              f"({100 * covered / total:.1f}%)")


def kind_of(value):
    """A rough label for a missed value, for the summary only."""
    digits = sum(c.isdigit() for c in value)
    if "@" in value:
        return "email"
    if value.count("-") == 2 and len(value) == 11 and digits == 9:
        return "ssn"
    if digits == 8 and value.isdigit():
        return "mrn/date"
    if digits >= 10:
        return "phone"
    if digits >= 6:
        return "date"
    if digits == 5 and value.isdigit():
        return "zip"
    if digits:
        return "street"
    return "name"


def main():
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        extra = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--phimask")
    parser.add_argument("--json", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)
    h = sub.add_parser("history")
    h.add_argument("repos", nargs="+")
    lg = sub.add_parser("logs")
    lg.add_argument("dirs", nargs="+")
    p = sub.add_parser("plant")
    p.add_argument("repo")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--people", type=int, default=5)
    p.add_argument("--verbose", action="store_true", help="print the values missed (all made up)")
    args = parser.parse_args(argv)
    args.extra = extra
    {"history": history, "logs": logs, "plant": plant}[args.command](args)


if __name__ == "__main__":
    main()
