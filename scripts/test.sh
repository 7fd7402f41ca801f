#!/usr/bin/env bash
# Runs every test of the project: the Rust workspace (unit, integration,
# property and corpus tests). Python and Node suites join here when their
# bindings land. Exits non-zero when any suite fails.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --locked
