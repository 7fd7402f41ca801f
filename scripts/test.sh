#!/usr/bin/env bash
# Runs every test of the project: the Rust core and CLI (unit, integration,
# golden, property, CLI and corpus tests, doc tests, and the benches and
# examples once each in test mode so they cannot rot), then the Python and
# Node bindings built from source. Exits non-zero when any suite fails.
set -euo pipefail
cd "$(dirname "$0")/.."
# The workspace's default members: core and CLI (the bindings are extension
# modules, tested through Python and Node below).
cargo test --locked --all-targets
cargo test --locked --doc
for suite in scripts/test-python.sh scripts/test-node.sh; do
  if [ -f "$suite" ]; then
    bash "$suite"
  fi
done
