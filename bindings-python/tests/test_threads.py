"""One engine and one masker used from several threads; batches release the GIL."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import phimask

TEXTS = [
    f"req {i} pt John Smith SSN 123-45-{1000 + i:04d} 😀 call 617-555-{i % 10000:04d} ok" for i in range(400)
]


def test_one_engine_many_threads(engine):
    expected = [engine.scan(t) for t in TEXTS]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(engine.scan, TEXTS * 4))
    assert results == expected * 4
    with ThreadPoolExecutor(max_workers=4) as pool:
        batches = list(pool.map(engine.scan_batch, [TEXTS] * 4))
    assert all(b == expected for b in batches)


def test_shared_masker_many_threads(engine):
    masker = engine.masker("safe-harbor")
    with ThreadPoolExecutor(max_workers=8) as pool:
        out = list(pool.map(masker.mask, TEXTS * 2))
    # one numbering shared by the threads: a text masked twice (by whichever
    # threads) gets the same labels both times, and different SSNs differ
    n = len(TEXTS)
    assert out[:n] == out[n:]
    ssn_labels = {o.split(" SSN ")[1].split(" ")[0] for o in out}
    assert len(ssn_labels) == n and all(label.startswith("[SSN_") for label in ssn_labels)
    assert masker.stats()["total"] == 3 * len(TEXTS) * 2
    assert all("123-45" not in o and "Smith" not in o for o in out)


@pytest.mark.parametrize("method", ["scan_batch", "mask_batch"])
def test_batches_release_the_gil(engine, method):
    texts = TEXTS * 100
    ticks = 0
    done = threading.Event()

    def count() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            time.sleep(0)

    counter = threading.Thread(target=count)
    counter.start()
    start = time.perf_counter()
    getattr(engine, method)(texts)
    elapsed = time.perf_counter() - start
    done.set()
    counter.join()
    # While the batch ran, Python code in another thread kept running.
    assert ticks > 10, (ticks, elapsed)
