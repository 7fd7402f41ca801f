#!/usr/bin/env bash
# Latency of the pre-commit gate: the whole `phimask scan --staged` process
# (start-up, engine build, git plumbing, scan, report) on a typical staged
# change, and its throughput on a staged 100 MB data file next to a plain
# `phimask scan` of the same file. Compares with gitleaks when it is
# installed (`gitleaks git --pre-commit --staged`).
#
#   benches/hook.sh                    # release build, 30 timed runs
#   RUNS=10 BIG_MB=20 benches/hook.sh  # quicker
#
# Environment: RUNS (timed runs per command), BIG_MB (size of the staged
# data file, MB; 0 skips it), KEEP=1 (keep the temp dir), INSTALL=0 (never
# apt-get install hyperfine), CARGO_TARGET_DIR.
#
# The answer is checked before anything is timed: the typical change is
# clean (exit 0) and the same change plus one planted SSN must be reported
# (exit 1) at the right line, so a fast wrong answer fails the script.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-30}
BIG_MB=${BIG_MB:-100}
INSTALL=${INSTALL:-1}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
case "$TARGET" in /*) ;; *) TARGET=$ROOT/$TARGET ;; esac

WORK=$(mktemp -d "${TMPDIR:-/tmp}/phimask-hook.XXXXXX")
if [ "${KEEP:-0}" = 1 ]; then echo "keeping $WORK"; else trap 'rm -rf "$WORK"' EXIT; fi
note() { printf '%s\n' "$*" >&2; }

if ! command -v hyperfine >/dev/null 2>&1; then
    if [ "$INSTALL" = 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine) >/dev/null 2>&1 || true
    fi
    command -v hyperfine >/dev/null 2>&1 || { note "hyperfine is required (apt-get install hyperfine)"; exit 2; }
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//'); $(git --version)"
(cd "$ROOT" && cargo build --release -q -p phimask-cli)
BIN=$TARGET/release/phimask
[ -x "$BIN" ] || { note "no release binary at $BIN"; exit 2; }

# An isolated git: no host config, hooks or signing.
export HOME=$WORK/home GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=$WORK/home/gitconfig
mkdir -p "$HOME"
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
REPO=$WORK/repo
git init -q -b main "$REPO"
cd "$REPO"
git config user.name bench && git config user.email bench@invalid && git config commit.gpgsign false

# --- a typical change: 4 source files of 300 lines committed; then 3 of them
# get 100 changed lines each and a new 100-line file is added (400 added
# lines, ~16 KB staged), no PHI.
code_line() { # code_line FILE N: a line of Python-looking source
    printf '    result_%d = compute_total(items[%d], rate=0.%02d)  # step %d of %s\n' "$2" "$2" $(($2 % 100)) "$2" "$1"
}
for f in billing orders report util; do
    for i in $(seq 1 300); do code_line "$f" "$i"; done >"src_$f.py"
done
git add -A && git commit -q -m base
for f in billing orders report; do
    awk -v f="$f" 'NR > 100 && NR <= 200 { printf "    value_%d = fetch(%d, retries=3)  # changed in %s\n", NR, NR, f; next } { print }' \
        "src_$f.py" >"src_$f.tmp" && mv "src_$f.tmp" "src_$f.py"
done
for i in $(seq 1 100); do code_line new "$i"; done >src_new.py
git add -A
STAGED=$(git diff --cached --numstat | awk '{ a += $1 } END { print a }')
echo "typical change: $(git diff --cached --name-only | wc -l) files, $STAGED added lines"

set +e
"$BIN" scan --staged >"$WORK/out.txt" 2>"$WORK/err.txt"; clean=$?
set -e
[ "$clean" = 0 ] || { note "the clean change exited $clean:"; cat "$WORK/out.txt" "$WORK/err.txt" >&2; exit 1; }

# The same change with one planted SSN on line 150 of one file: must be found.
cp src_orders.py "$WORK/orders.bak"
sed -i '150s/.*/    patient_ssn = "536-22-8726"  # planted/' src_orders.py
git add src_orders.py
set +e
"$BIN" scan --staged >"$WORK/out.txt" 2>"$WORK/err.txt"; dirty=$?
set -e
if [ "$dirty" != 1 ] || ! grep -q '^src_orders.py:150:' "$WORK/out.txt"; then
    note "the planted SSN was not reported (exit $dirty):"; cat "$WORK/out.txt" "$WORK/err.txt" >&2; exit 1
fi
echo "answer check: clean change exit 0; planted SSN reported at $(cut -d' ' -f1 "$WORK/out.txt") (exit 1)"

HF=(hyperfine --style basic --warmup 3 --runs "$RUNS" -N)
hyperfine --help 2>/dev/null | grep -q -- '--shell' || HF=(hyperfine --style basic --warmup 3 --runs "$RUNS")
"${HF[@]}" -i --export-csv "$WORK/dirty.csv" -n 'phimask scan --staged (1 finding)' "$BIN scan --staged" >&2
cp "$WORK/orders.bak" src_orders.py && git add src_orders.py
"${HF[@]}" --export-csv "$WORK/clean.csv" -n 'phimask scan --staged (clean)' "$BIN scan --staged" >&2
"${HF[@]}" --export-csv "$WORK/version.csv" -n 'phimask --version (process floor)' "$BIN --version" >&2
GITLEAKS=""
if command -v gitleaks >/dev/null 2>&1; then
    "${HF[@]}" -i --export-csv "$WORK/gitleaks.csv" -n 'gitleaks git --pre-commit --staged' \
        "gitleaks git --pre-commit --staged --no-banner" >&2
    GITLEAKS=$WORK/gitleaks.csv
else
    note "gitleaks is not installed (not in Debian's archive, PyPI or npm as a binary here): no comparison"
fi

ms() { awk -F, 'NR == 2 { printf "%.1f ms (± %.1f, min %.1f, max %.1f)", $2 * 1000, $3 * 1000, $7 * 1000, $8 * 1000 }' "$1"; }
echo
echo "whole process, $RUNS runs, warm cache:"
echo "  phimask scan --staged, clean change:  $(ms "$WORK/clean.csv")"
echo "  phimask scan --staged, 1 finding:     $(ms "$WORK/dirty.csv")"
echo "  phimask --version (start-up floor):   $(ms "$WORK/version.csv")"
[ -n "$GITLEAKS" ] && echo "  gitleaks git --pre-commit --staged:   $(ms "$GITLEAKS")"
awk -F, 'NR == 2 { exit !($2 < 0.050) }' "$WORK/clean.csv" && echo "  target < 50 ms: met" || echo "  target < 50 ms: NOT met"

# --- a staged 100 MB data file -------------------------------------------------
[ "$BIG_MB" = 0 ] && exit 0
git commit -q -m typical
python3 - "$BIG_MB" >data.csv <<'EOF'
import random, sys
# A CSV-like export: rows of ids and amounts; 1 row in 50 carries PHI (an
# SSN, an e-mail or a phone number), like a fixture dump.
random.seed(7)
target = int(sys.argv[1]) * 1000 * 1000
out, size, n = [], 0, 0
phi = ["ssn 536-22-8726", "mail jdoe@example.org", "call (617) 555-0123"]
while size < target:
    n += 1
    row = f"{n},order,{random.randint(1000, 99999)},{random.random() * 500:.2f},status ok,region {n % 17}"
    if n % 50 == 0:
        row += "," + phi[n % 3]
    row += "\n"
    out.append(row)
    size += len(row)
    if len(out) >= 10000:
        sys.stdout.write("".join(out)); out = []
sys.stdout.write("".join(out))
EOF
git add data.csv
BYTES=$(stat -c %s data.csv)
set +e
"$BIN" scan --staged --format jsonl >"$WORK/big-staged.txt" 2>/dev/null; s1=$?
"$BIN" scan --format jsonl data.csv >"$WORK/big-file.txt" 2>/dev/null; s2=$?
set -e
n1=$(wc -l <"$WORK/big-staged.txt"); n2=$(wc -l <"$WORK/big-file.txt")
echo
echo "staged data file: $BYTES bytes; findings: scan --staged $n1 (exit $s1), scan FILE $n2 (exit $s2)"
[ "$n1" = "$n2" ] && [ "$n1" -gt 0 ] || { note "the two scans disagree: not timing a wrong answer"; exit 1; }
BIG=(hyperfine --style basic --warmup 1 --runs 5 -i)
"${BIG[@]}" --export-csv "$WORK/big.csv" \
    -n 'phimask scan --staged (100 MB staged file)' "$BIN scan --staged --format jsonl > /dev/null" \
    -n 'phimask scan data.csv (same file)' "$BIN scan --format jsonl data.csv > /dev/null" >&2
awk -F, -v b="$BYTES" 'NR > 1 { printf "  %-44s %7.3f s  %6.1f MB/s\n", $1, $2, b / $2 / 1e6; t[NR] = $2 }
    END { printf "  staged / file throughput ratio: %.2f\n", t[3] / t[2] }' "$WORK/big.csv"
