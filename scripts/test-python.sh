#!/usr/bin/env bash
# Builds the Python package from source and runs its tests on a fresh machine
# (only Python >= 3.9, a Rust toolchain and the package registries needed):
#   1. a virtualenv in bindings-python/.venv (PHIMASK_PY_VENV to move it),
#   2. pip install of the test tools and of ./bindings-python (one release
#      build of the extension through maturin),
#   3. the Rust parity oracle (bindings-python/examples/rust_scan.rs, debug),
#   4. pytest (parity, masking, errors, threads, logging, structlog, no-leak),
#   5. mypy.stubtest of the stubs against the built module, mypy --strict.
# Exits non-zero on any failure, including "no tests collected".
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

python=${PYTHON:-python3}
venv=${PHIMASK_PY_VENV:-$repo/bindings-python/.venv}

"$python" -c 'import sys; assert sys.version_info >= (3, 9), "phimask needs Python >= 3.9"'
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
py="$venv/bin/python"
"$py" -m pip install --quiet --upgrade pip
"$py" -m pip install --quiet maturin pytest mypy structlog "tomli; python_version < '3.11'"

echo "test-python: building and installing ./bindings-python (release)" >&2
"$py" -m pip install --quiet --force-reinstall --no-deps ./bindings-python

echo "test-python: building the Rust parity oracle" >&2
cargo build --quiet -p phimask-python --example rust_scan
export PHIMASK_RUST_SCAN="${CARGO_TARGET_DIR:-$repo/target}/debug/examples/rust_scan"
export PHIMASK_REQUIRE_STRUCTLOG=1
export PHIMASK_EVAL_DIR="${PHIMASK_EVAL_DIR:-$repo/../shared/eval}"

# Run from the tests' directory so `import phimask` is the installed package.
cd "$repo/bindings-python"
"$py" -c 'import phimask, sys; assert "site-packages" in phimask.__file__, phimask.__file__; print("test-python: phimask", phimask.__version__, "from", phimask.__file__)'
status=0
"$py" -m pytest -p no:cacheprovider -q -rfEs tests || status=$?
if [ "$status" -eq 5 ]; then
  echo "test-python: pytest collected no tests" >&2
fi
if [ "$status" -ne 0 ]; then
  echo "test-python: pytest failed (exit $status)" >&2
  exit 1
fi

echo "test-python: checking the type stubs against the built module" >&2
"$py" -m mypy.stubtest phimask._native
"$py" -m mypy --strict --no-incremental -p phimask
echo "test-python: all passed" >&2
