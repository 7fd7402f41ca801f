"""Parity with the Rust core: the shared golden cases, the ../shared/eval
records and non-ASCII text give the same findings, with offsets converted
from bytes to Python string indices."""

from __future__ import annotations

from typing import List, Tuple

import phimask


def as_bytes(text: str, findings: List[phimask.Finding]) -> List[list]:
    """Python findings in the Rust oracle's shape (byte offsets)."""
    out = []
    for f in findings:
        start = len(text[: f.start].encode("utf-8"))
        end = start + len(text[f.start : f.end].encode("utf-8"))
        out.append([f.entity, f.detector, start, end, f.score])
    return out


def test_golden_cases_match_expected_and_rust(engine, golden, rust):
    assert len(golden) >= 10
    texts = [c["text"] for c in golden]
    from_rust = rust(texts)
    for case, expected_rust in zip(golden, from_rust):
        text = case["text"]
        found = engine.scan(text)
        got = [[f.entity, text[f.start : f.end]] for f in found]
        assert got == case["findings"], case["name"]
        assert as_bytes(text, found) == expected_rust, case["name"]


def test_eval_records_match_rust(engine, eval_records, rust):
    texts = [r["text"] for r in eval_records]
    from_rust = rust(texts)
    batch = engine.scan_batch(texts)
    compared = non_ascii = findings = 0
    for text, expected, batched in zip(texts, from_rust, batch):
        single = engine.scan(text)
        assert single == batched
        got = as_bytes(text, single)
        assert got == expected, text
        for f, (_, _, bstart, bend, _) in zip(single, expected):
            assert text[f.start : f.end] == text.encode("utf-8")[bstart:bend].decode("utf-8")
        compared += 1
        findings += len(single)
        if single and not text[: single[-1].start].isascii():
            non_ascii += 1
    assert compared == len(eval_records)
    assert findings > 2000
    # The offsets conversion must actually have been exercised.
    assert non_ascii >= 10, non_ascii


def test_eval_gold_spans_are_python_indices(engine, eval_records):
    # The eval files store code-point spans: a finding recalled on the
    # Python side lines up with the gold span's own text.
    checked = 0
    for r in eval_records:
        for span in r["spans"]:
            if r["text"][span["start"] : span["end"]] != span["text"]:
                continue
            for f in engine.scan(r["text"]):
                if f.start == span["start"] and f.end == span["end"]:
                    assert r["text"][f.start : f.end] == span["text"]
                    checked += 1
    assert checked > 1000


NON_ASCII: List[Tuple[str, List[Tuple[str, str]]]] = [
    ("😀😀😀 SSN 123-45-6789", [("SSN", "123-45-6789")]),
    ("naïve café — 日本語 call (617) 555-0123", [("PHONE", "(617) 555-0123")]),
    ("👩‍👩‍👧 e\u0301 mail jdoe@example.org 😀 DOB 03/14/1962", [("EMAIL", "jdoe@example.org"), ("DATE", "03/14/1962")]),
    ("Ünïcödé 𝔘𝔫𝔦 ip 10.2.3.4 then 😀", [("IP", "10.2.3.4")]),
]


def test_non_ascii_offsets(engine, rust):
    from_rust = rust([t for t, _ in NON_ASCII])
    for (text, expected), expected_rust in zip(NON_ASCII, from_rust):
        found = engine.scan(text)
        assert [(f.entity, text[f.start : f.end]) for f in found] == expected
        assert as_bytes(text, found) == expected_rust
        # scan_batch and scan_field agree on offsets too
        assert engine.scan_batch([text])[0] == found


def test_finding_fields(engine):
    text = "😀 SSN 123-45-6789"
    (f,) = engine.scan(text)
    assert (f.entity, f.safe_harbor, f.detector) == ("SSN", "G", "ssn-formatted")
    assert (f.start, f.end) == (6, 17)
    assert 0.5 <= f.score <= 1.0
    assert f.preview == "***-**-6789"
    assert f.to_dict() == {
        "entity": "SSN",
        "safe_harbor": "G",
        "detector": "ssn-formatted",
        "start": 6,
        "end": 17,
        "score": f.score,
        "preview": "***-**-6789",
    }
    assert f == engine.scan(text)[0] and hash(f) == hash(engine.scan(text)[0])
    # frozen
    for attr in ("entity", "start", "preview"):
        try:
            setattr(f, attr, 0)
        except AttributeError:
            pass
        else:
            raise AssertionError(f"Finding.{attr} is writable")


def test_engine_options(engine):
    text = "pt John Smith SSN 123-45-6789 call 617-555-0123"
    only = phimask.Engine(entities=["SSN"])
    assert [f.entity for f in only.scan(text)] == ["SSN"]
    without = phimask.Engine(exclude_entities=["NAME", "PHONE"])
    assert [f.entity for f in without.scan(text)] == ["SSN"]
    strict = phimask.Engine(min_score=1.0)
    assert all(f.score >= 1.0 for f in strict.scan(text))
    assert strict.min_score == 1.0
    custom = phimask.Engine(
        default_patterns=False,
        pattern_toml="""
[[detector]]
id = "acme-mrn"
entity = "MRN"
regex = 'ACME-\\d{6}'
match = ["ACME-123456"]
no_match = ["ACME-12"]
""",
    )
    assert [(f.detector, f.entity) for f in custom.scan("id ACME-123456")] == [("acme-mrn", "MRN")]
    assert custom.detector_ids() == ["acme-mrn"]
    assert "ssn-formatted" in engine.detector_ids()
    assert engine.entity_for_field("Patient-Name") == "NAME"
    assert engine.entity_for_field("notes") is None
    assert [f.entity for f in engine.scan_field("ssn", "536228726")] == ["SSN"]
    assert "SSN" in phimask.entities() and "NAME" in phimask.entities()
