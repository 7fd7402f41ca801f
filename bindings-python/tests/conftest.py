"""Shared fixtures: the repository, the shared eval data and the Rust oracle.

The Rust oracle is `examples/rust_scan.rs` of this crate: it scans with the
core's `Engine::default()` and prints byte offsets, so the parity tests
compare the Python package against the Rust core without going through the
binding. It is run with `cargo run` (set PHIMASK_RUST_SCAN to a built binary
to skip cargo).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, List

import pytest

import phimask

REPO = Path(__file__).resolve().parents[2]


def _load_toml(path: Path) -> Any:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - older interpreters
        import tomli as tomllib
    with open(path, "rb") as f:
        return tomllib.load(f)


@pytest.fixture(scope="session")
def engine() -> phimask.Engine:
    return phimask.Engine()


@pytest.fixture(scope="session")
def golden() -> List[dict]:
    return _load_toml(REPO / "tests" / "golden" / "scan.toml")["case"]


@pytest.fixture(scope="session")
def eval_dir() -> Path:
    path = Path(os.environ.get("PHIMASK_EVAL_DIR", REPO.parent / "shared" / "eval"))
    if not path.is_dir():
        pytest.fail(f"the shared eval data is missing: {path} (set PHIMASK_EVAL_DIR)")
    return path


@pytest.fixture(scope="session")
def eval_records(eval_dir: Path) -> List[dict]:
    records = []
    for file in sorted(eval_dir.glob("*.jsonl")):
        with open(file, encoding="utf-8") as f:
            records.extend(json.loads(line) for line in f if line.strip())
    assert len(records) > 3000, "expected the five eval files"
    return records


def rust_scan(texts: List[str]) -> List[List[list]]:
    """Scans each text with the Rust core; returns [entity, detector, start, end, score] lists (bytes)."""
    stdin = "".join(json.dumps(t) + "\n" for t in texts)
    binary = os.environ.get("PHIMASK_RUST_SCAN")
    cmd = [binary] if binary else ["cargo", "run", "-q", "-p", "phimask-python", "--example", "rust_scan"]
    done = subprocess.run(cmd, input=stdin, capture_output=True, text=True, encoding="utf-8", cwd=REPO)
    if done.returncode != 0:
        pytest.fail(f"rust_scan failed ({done.returncode}): {done.stderr[-2000:]}")
    lines = done.stdout.splitlines()
    assert len(lines) == len(texts)
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="session")
def rust() -> Any:
    return rust_scan
