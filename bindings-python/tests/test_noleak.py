"""No PHI in reprs, exception messages, warnings or the filter's output."""

from __future__ import annotations

import io
import logging
import warnings

import pytest

import phimask
import phimask.logging as phl

VALUES = ["123-45-6789", "John Smith", "617-555-0123", "jdoe@example.org", "00123456", "03/14/1962"]
TEXT = "pt John Smith MRN 00123456 DOB 03/14/1962 SSN 123-45-6789 call 617-555-0123 jdoe@example.org"


def assert_clean(shown: str, strict: bool = True) -> None:
    # strict: not even the last four digits the `mask` operator keeps
    for value in VALUES + (["6789", "Smith", "0123"] if strict else ["Smith"]):
        assert value not in shown, (value, shown)


def test_reprs_hold_no_phi(engine):
    key = phimask.Key.generate()
    masker = engine.masker("tokenize", key)
    masker.mask(TEXT)
    found = engine.scan(TEXT)
    assert len(found) == 6
    shown = " ".join(
        [repr(found), str(found), repr(engine), repr(key), str(key), repr(masker), repr(masker.stats())]
        + [repr(phimask.Policy.preset("tokenize"))]
    )
    assert_clean(shown)
    # previews are masked renderings
    assert_clean(" ".join(f.preview for f in found), strict=False)


def test_no_warnings_and_clean_errors(engine, tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        engine.scan(TEXT)
        engine.scan_batch([TEXT] * 10)
        engine.mask(TEXT)
        engine.mask_batch([TEXT] * 10)
        engine.mask_record({"note": TEXT, "ssn": "123-45-6789"})
        messages = []
        for bad in [
            lambda: engine.mask_record({"note": TEXT, "x": object()}),
            lambda: engine.mask_record({TEXT: {1}}),
            lambda: engine.mask(TEXT, policy="tokenize"),
            lambda: phimask.Key.from_bytes(TEXT.encode()[:20]),
            lambda: engine.unmask(TEXT, phimask.Key.generate(), policy=TEXT, unverified=True),
        ]:
            with pytest.raises(Exception) as err:
                bad()
            messages.append(str(err.value) + repr(err.value))
        csv_file = tmp_path / "bad.csv"
        csv_file.write_text('name,ssn\n"John Smith,123-45-6789\n')
        with pytest.raises(phimask.InputError) as err:
            engine.mask_csv(csv_file, tmp_path / "out.csv")
        messages.append(str(err.value))
    assert caught == []
    # The unknown-policy message names the policy argument; it is config,
    # so only check the messages that could have quoted scanned text.
    assert_clean(" ".join(messages[:4] + messages[5:]))


def test_logging_output_holds_no_phi(engine):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s %(patient)s"))
    log = logging.getLogger("phimask.test.noleak")
    log.propagate = False
    log.addHandler(handler)
    handler.addFilter(phl.PhiFilter(engine))
    try:
        log.warning("lookup %s", TEXT, extra={"patient": "John Smith"})
        try:
            raise ValueError(f"bad record {TEXT}")
        except ValueError:
            log.exception("failed for %s", "123-45-6789", extra={"patient": "x"})
    finally:
        log.removeHandler(handler)
    out = stream.getvalue()
    assert "Traceback" in out and "ValueError" in out
    assert_clean(out, strict=False)
    assert "***-**-6789" in out  # the mask preset keeps an SSN's last four
