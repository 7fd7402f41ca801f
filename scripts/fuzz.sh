#!/usr/bin/env bash
# Fuzzes the scanner and every mask driver for a fixed time each, and prints
# one result line per target. Not run by CI (it needs cargo-fuzz and a
# nightly-capable compiler; RUSTC_BOOTSTRAP lets a stable toolchain build
# libFuzzer's instrumentation).
#
#   cargo install cargo-fuzz            # once
#   bash scripts/fuzz.sh [SECONDS]      # default 120 per target
#
# Targets (fuzz/fuzz_targets/): `scan` (any bytes: spans in bounds, ordered,
# on char boundaries), `mask_text` (mask keeps UTF-8; tokenize -> unmask is
# exact where nothing fell back), `mask_formats` (CSV, TSV, JSON, NDJSON and
# SQL, fail and skip modes: no panic; JSON that parses still parses).
# A crash leaves its input in fuzz/artifacts/<target>/ and fails the script.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds=${1:-120}
export RUSTC_BOOTSTRAP=1
status=0
for target in scan mask_text mask_formats; do
  log=$(mktemp)
  if cargo fuzz run -O "$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 >"$log" 2>&1; then
    runs=$(grep -o 'Done [0-9]* runs' "$log" | tail -1 || true)
    echo "fuzz $target: ok, ${runs:-no summary} in ${seconds}s"
  else
    echo "fuzz $target: FAILED (see fuzz/artifacts/$target/)"
    tail -30 "$log"
    status=1
  fi
  rm -f "$log"
done
exit $status
