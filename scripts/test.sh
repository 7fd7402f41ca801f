#!/usr/bin/env bash
# Runs every test of the project: the Rust workspace (unit, integration,
# golden, property, CLI and corpus tests, doc tests, and the benches and
# examples once each in test mode so they cannot rot). Python and Node
# suites join here when their bindings land. Exits non-zero when any fails.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --locked --all-targets
cargo test --workspace --locked --doc
