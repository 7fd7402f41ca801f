#!/usr/bin/env bash
# Compares the phimask CLI with reading the file (`cat`) and with ripgrep
# running 16 PHI regexes, on the generated log corpus, all in one run; then
# measures the CLI's peak RSS on a large file.
#
#   benches/compare.sh                 # 64 MiB timed corpus, 200 MiB for RSS
#   MIB=16 RSS_MIB=0 RUNS=3 benches/compare.sh   # quicker; RSS_MIB=0 skips RSS
#
# Environment: MIB (timed corpus size, MiB), RSS_MIB (RSS corpus size, MiB;
# 0 skips), RUNS (timed runs per command), KEEP=1 (keep the temp dir),
# INSTALL=0 (never apt-get install missing tools), CARGO_TARGET_DIR.
#
# Whatever is missing is skipped with a note: the CLI (cli/ may not build
# yet), ripgrep, hyperfine (falls back to a plain timing loop), GNU time.
# The corpus comes from the criterion bench's generator
# (PHIMASK_BENCH_DUMP, see benches/README.md), so it is the same seeded text
# the `logs` criterion group scans.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MIB=${MIB:-64}
RSS_MIB=${RSS_MIB:-200}
RUNS=${RUNS:-5}
INSTALL=${INSTALL:-1}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
case "$TARGET" in /*) ;; *) TARGET=$ROOT/$TARGET ;; esac

WORK=$(mktemp -d "${TMPDIR:-/tmp}/phimask-compare.XXXXXX")
if [ "${KEEP:-0}" = 1 ]; then
    echo "keeping $WORK"
else
    trap 'rm -rf "$WORK"' EXIT
fi

note() { printf '%s\n' "$*" >&2; }

# --- tools -----------------------------------------------------------------

APT_UPDATED=0
want() { # want COMMAND DEBIAN-PACKAGE: install the package if the command is missing
    command -v "$1" >/dev/null 2>&1 && return 0
    if [ "$INSTALL" = 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        if [ "$APT_UPDATED" = 0 ]; then
            apt-get update -qq >/dev/null 2>&1 || true
            APT_UPDATED=1
        fi
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1 || true
    fi
    command -v "$1" >/dev/null 2>&1
}

HAVE_HYPERFINE=0; want hyperfine hyperfine && HAVE_HYPERFINE=1 || note "hyperfine not available: using a plain timing loop"
HAVE_RG=0; want rg ripgrep && HAVE_RG=1 || note "ripgrep not available: skipping the rg comparison"
GNU_TIME=""
if [ -x /usr/bin/time ] || want /usr/bin/time time; then
    /usr/bin/time -v true >/dev/null 2>&1 && GNU_TIME=/usr/bin/time
fi
[ -n "$GNU_TIME" ] || note "GNU time not available: skipping peak RSS"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"

# --- the CLI ---------------------------------------------------------------

BIN=""
if [ -f "$ROOT/cli/Cargo.toml" ] && grep -q '^name = "phimask-cli"' "$ROOT/cli/Cargo.toml"; then
    if (cd "$ROOT" && cargo build --release -q -p phimask-cli) >"$WORK/cli-build.log" 2>&1 && [ -x "$TARGET/release/phimask" ]; then
        BIN=$TARGET/release/phimask
    else
        note "the CLI does not build (see below): skipping it"
        tail -n 20 "$WORK/cli-build.log" >&2 || true
    fi
else
    note "no phimask-cli crate in cli/: skipping the CLI"
fi

# --- corpora ---------------------------------------------------------------

dump() { # dump PATH MIB
    (cd "$ROOT" && PHIMASK_BENCH_DUMP=$1 PHIMASK_BENCH_DUMP_KIND=logs PHIMASK_BENCH_DUMP_MIB=$2 \
        cargo bench -q -p phimask --bench scan) 2>"$WORK/dump.log" | grep '^wrote' \
        || { cat "$WORK/dump.log" >&2; exit 1; }
}
FILE=$WORK/logs.txt
dump "$FILE" "$MIB"
BYTES=$(stat -c %s "$FILE")

# A fast wrong answer must fail: the CLI has to report findings (exit 1).
if [ -n "$BIN" ]; then
    set +e
    "$BIN" scan "$FILE" >"$WORK/cli-out.txt" 2>"$WORK/cli-err.txt"
    status=$?
    set -e
    lines=$(wc -l <"$WORK/cli-out.txt")
    if [ "$status" != 1 ] || [ "$lines" = 0 ]; then
        note "phimask scan exited $status with $lines output lines on a corpus full of PHI: not timing a wrong answer"
        head -n 5 "$WORK/cli-err.txt" >&2
        exit 1
    fi
    echo "phimask scan: exit $status, $lines output lines"
fi

# 16 PHI regexes, the kind a hand-written grep gate would use (no validation,
# no context). ripgrep's default (Unicode) mode.
cat >"$WORK/phi.rg" <<'EOF'
\b\d{3}-\d{2}-\d{4}\b
(?:\(\d{3}\)\s?|\b\d{3}[-.\s])\d{3}[-.\s]\d{4}\b
\+\d{1,3}[-. ]?\d{1,4}[-. ]?\d{3,4}[-. ]?\d{3,4}
[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}
\b\d{1,2}[/-]\d{1,2}[/-]\d{2,4}\b
\b\d{4}-\d{2}-\d{2}\b
(?i)\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2},? \d{4}\b
\b(?:\d{1,3}\.){3}\d{1,3}\b
(?i)\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b
https?://[^\s"'<>]+
(?i)\b(?:mrn|medical record(?: number)?)[:#=\s]*[A-Z]?\d{6,10}\b
\b\d{5}(?:-\d{4})?\b
\b(?:\d[ -]?){13,19}\b
\b\d{1,6}\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way)\b
(?i)\b(?:dob|date of birth)[:=\s]*\S+
\b(?:Mr|Mrs|Ms|Dr)\.? [A-Z][a-z]+(?: [A-Z][a-z]+)?
EOF
[ "$(grep -c . "$WORK/phi.rg")" = 16 ] || { note "expected 16 regexes"; exit 1; }
if [ "$HAVE_RG" = 1 ]; then
    echo "rg -c (16 regexes): $(rg -c -f "$WORK/phi.rg" "$FILE" || true) matching lines"
fi

# --- timing ----------------------------------------------------------------

NAMES=(cat)
CMDS=("cat '$FILE'")
if [ "$HAVE_RG" = 1 ]; then NAMES+=(rg_16_regexes); CMDS+=("rg -c -f '$WORK/phi.rg' '$FILE'"); fi
if [ -n "$BIN" ]; then NAMES+=(phimask_scan); CMDS+=("'$BIN' scan '$FILE'"); fi

declare -A MEAN # seconds
if [ "$HAVE_HYPERFINE" = 1 ]; then
    args=()
    for i in "${!CMDS[@]}"; do args+=(-n "${NAMES[$i]}" "${CMDS[$i]}"); done
    # -i: rg and phimask exit 1 when they find something, which is the point.
    # -N: no intermediate shell, so a millisecond `cat` is not lost in the
    # shell start-up correction (older hyperfine lacks it and uses a shell).
    shell=()
    hyperfine --help 2>/dev/null | grep -q -- '--shell' && hyperfine -N --runs 1 true >/dev/null 2>&1 && shell=(-N)
    hyperfine "${shell[@]}" -i --style basic --warmup 1 --runs "$RUNS" --export-csv "$WORK/t.csv" "${args[@]}" >&2
    while IFS=, read -r name mean _; do
        [ "$name" = command ] && continue
        MEAN[$name]=$mean
    done <"$WORK/t.csv"
else
    for i in "${!CMDS[@]}"; do
        bash -c "${CMDS[$i]}" >/dev/null 2>&1 || true # warm-up (page cache)
        best=""
        for _ in $(seq "$RUNS"); do
            t0=$(date +%s%N)
            bash -c "${CMDS[$i]}" >/dev/null 2>&1 || true
            t=$(( $(date +%s%N) - t0 ))
            if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
        done
        MEAN[${NAMES[$i]}]=$(awk -v ns="$best" 'BEGIN { printf "%.6f", ns / 1e9 }')
    done
    note "(no hyperfine: figures are the best of $RUNS runs, not means)"
fi

echo
echo "corpus: $BYTES bytes of generated logs ($MIB MiB), page cache warm; MB = 10^6 bytes"
printf '%-16s %10s %10s %14s\n' command seconds MB/s "x cat speed"
for n in "${NAMES[@]}"; do
    awk -v n="$n" -v s="${MEAN[$n]}" -v c="${MEAN[cat]}" -v b="$BYTES" \
        'BEGIN { printf "%-16s %10.4f %10.1f %14.3f\n", n, s, b / s / 1e6, c / s }'
done
if [ -n "$BIN" ] && [ "$HAVE_RG" = 1 ]; then
    awk -v p="${MEAN[phimask_scan]}" -v r="${MEAN[rg_16_regexes]}" \
        'BEGIN { printf "phimask scan / rg 16 regexes speed ratio: %.3f\n", r / p }'
fi

# --- peak RSS on a large file ----------------------------------------------

if [ -n "$BIN" ] && [ -n "$GNU_TIME" ] && [ "$RSS_MIB" != 0 ]; then
    BIG=$WORK/big.txt
    rm -f "$FILE"
    dump "$BIG" "$RSS_MIB"
    set +e
    "$GNU_TIME" -v "$BIN" scan "$BIG" >/dev/null 2>"$WORK/rss.txt"
    status=$?
    set -e
    rss=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$WORK/rss.txt")
    wall=$(awk '/Elapsed \(wall clock\)/ { print $NF }' "$WORK/rss.txt")
    echo
    echo "peak RSS of phimask scan on $(stat -c %s "$BIG") bytes: ${rss} KiB ($(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }') MiB), wall $wall, exit $status"
fi
