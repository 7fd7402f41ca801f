#!/usr/bin/env python3
"""Residue check: plants PHI in a 10,000-patient dump, masks it, and counts
what is left in clear.

The dump (CSV: structured columns and a free-text `notes` column) is made
here with a seeded generator; the shapes in the notes are the ones that
used to survive masking: bare ten-digit phone numbers after `called from`,
addresses in the Freely Associated States (FM, PW, MH) and other
territories, a first name alone after `Patient`, and a relative's first
name after `Wife`/`Husband`/`Son`/`Daughter`. Names come from the project's
name lists (patterns/names), so they are names phimask knows; the test is
whether context finds them.

    python3 benches/residue/run.py [--patients N] [--bin target/release/phimask]

Prints, per policy (`tokenize`, `safe-harbor`): planted values by kind and
how many appear verbatim in the output, and tokenize's one-way fallbacks
from its report. Exit status 1 if any planted value survives.
"""

import argparse
import csv
import io
import json
import os
import random
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def words(name):
    with open(os.path.join(ROOT, "patterns", "names", name), encoding="utf-8") as f:
        return [w.strip() for w in f if w.strip() and not w.startswith("#")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--patients", type=int, default=10_000)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "phimask"))
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    firsts = [w.capitalize() for w in words("first.txt") if w.isalpha() and len(w) >= 3]
    lasts = [w.capitalize() for w in words("last.txt") if w.isalpha() and len(w) >= 3]
    territories = [
        ("Kolonia", "FM", "96941"), ("Weno", "FM", "96942"), ("Koror", "PW", "96940"),
        ("Majuro", "MH", "96960"), ("Ebeye", "MH", "96970"), ("Hagatna", "GU", "96910"),
        ("Pago Pago", "AS", "96799"), ("Saipan", "MP", "96950"), ("San Juan", "PR", "00901"),
        ("Charlotte Amalie", "VI", "00802"),
    ]
    streets = ["Lagoon", "Harbor", "Coconut", "Reef", "Mango", "Palm", "Beach", "Airport", "Market", "Church"]
    kinds = ["Road", "Street", "Avenue", "Lane", "Drive"]

    def phone():
        return f"{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(0, 9)}{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(0, 9)}{rng.randint(0, 9999):04d}"

    planted = {}  # kind -> list of (row, value)

    def plant(kind, value):
        planted.setdefault(kind, []).append((len(planted.get(kind, [])), value))
        return value

    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["patient_id", "name", "dob", "ssn", "phone", "address", "zip", "notes"])
    for i in range(args.patients):
        first, last = rng.choice(firsts), rng.choice(lasts)
        relative = rng.choice(firsts)
        city, state, zip5 = rng.choice(territories)
        street = f"{rng.randint(1, 999)} {rng.choice(streets)} {rng.choice(kinds)}"
        called = phone()
        notes = " ".join(
            [
                f"Patient {plant('first name alone', first)} reports mild pain.",
                f"{rng.choice(['Wife', 'Husband', 'Son', 'Daughter'])} {plant('relative name', relative)} present at bedside.",
                f"Called from {plant('bare phone in notes', called)} about results.",
                f"Lives at {plant('territory address', street)}, {city}, {state} {zip5}.",
            ]
        )
        w.writerow(
            [
                f"P{i:06d}",
                plant("name column", f"{first} {last}"),
                f"19{rng.randint(30, 99)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}",
                phone(),
                street,
                zip5,
                notes,
            ]
        )
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        dump = os.path.join(tmp, "patients.csv")
        with open(dump, "w", encoding="utf-8") as f:
            f.write(out.getvalue())
        key = os.path.join(tmp, "key.bin")
        subprocess.run([args.bin, "keygen", "-o", key], check=True, capture_output=True)
        for policy in ["tokenize", "safe-harbor"]:
            masked = os.path.join(tmp, f"{policy}.csv")
            report = os.path.join(tmp, f"{policy}.json")
            cmd = [args.bin, "mask", dump, "-o", masked, "--policy", policy, "--report", report, "-q"]
            if policy == "tokenize":
                cmd += ["--key-file", key]
            subprocess.run(cmd, check=True)
            with open(masked, encoding="utf-8") as f:
                rows = [" ".join(row) for row in csv.reader(f)][1:]
            print(f"policy {policy}: {args.patients} patients")
            for kind, values in planted.items():
                # Each value is looked for in its own row, as a whole word:
                # under tokenize a name's token is another real name, which
                # may be some other row's value.
                left = sum(1 for row, v in values if f" {v} " in " " + rows[row].replace(".", " ").replace(",", " ") + " ")
                failed |= left > 0
                print(f"  {kind:22} planted {len(values):6}  left in clear {left:6}")
            with open(report, encoding="utf-8") as f:
                masked_ops = json.load(f)["masked"]
            fallbacks = {
                f"{entity} {op}": n
                for entity, ops in masked_ops.items()
                for op, n in ops.items()
                if op.startswith("mask (")
            }
            if policy == "tokenize":
                print(f"  one-way fallbacks (named in the report): {fallbacks or 'none'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
