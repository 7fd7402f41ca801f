"""Masking and unmasking: presets, keys, round trips, records, batches, files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

import phimask
from conftest import REPO

# A fixed test key: 32 distinct bytes (repeated or counting bytes are weak keys, refused).
KEY_BYTES = bytes(((i * 73) & 0xFF) ^ 0x5C for i in range(32))


@pytest.fixture(scope="module")
def key() -> phimask.Key:
    return phimask.Key.from_bytes(KEY_BYTES)


def test_mask_presets(engine):
    assert engine.mask("SSN 123-45-6789") == "SSN ***-**-6789"
    assert engine.mask("SSN 123-45-6789", policy="redact") == "SSN "
    assert engine.mask("SSN 123-45-6789", policy="label") == "SSN [SSN_1]"
    sh = engine.mask("pt John Smith DOB 03/14/1962 SSN 123-45-6789", policy="safe-harbor")
    assert sh == "pt [NAME_1] DOB 1962 SSN [SSN_1]"
    assert engine.mask("SSN 123-45-6789", policy=phimask.Policy.preset("redact")) == "SSN "
    assert set(phimask.Policy.preset_names()) >= {"mask", "redact", "label", "hash", "tokenize", "safe-harbor"}


def test_policy_from_toml_and_file(engine, tmp_path):
    source = '[default]\noperator = "mask"\n\n[entity.SSN]\noperator = "redact"\n'
    policy = phimask.Policy.from_toml(source)
    assert policy.operator("SSN") == "redact" and policy.operator("NAME") == "mask"
    assert not policy.needs_key
    assert engine.mask("SSN 123-45-6789 call 617-555-0123", policy=policy) == "SSN  call ***-***-0123"
    path = tmp_path / "p.toml"
    path.write_text(source)
    assert phimask.Policy.from_file(path).operator("SSN") == "redact"
    assert phimask.Policy.preset("tokenize").needs_key


ROUND_TRIP = [
    "SSN 123-45-6789",
    "call (617) 555-0123 or 508-555-0177",
    "email jdoe@example.org",
    "MRN 00123456 and SSN 536-22-8726",
    "😀 naïve: SSN 219-44-5817, phone 617-555-0142",
]


@pytest.mark.parametrize("text", ROUND_TRIP)
def test_tokenize_round_trip(engine, key, text):
    masked = engine.mask(text, policy="tokenize", key=key)
    assert masked != text
    assert len(masked) == len(text)  # format-preserving
    assert engine.mask(text, policy="tokenize", key=key) == masked  # deterministic per key
    assert engine.unmask(masked, key, key_id=key.key_id) == text
    masker = engine.masker("tokenize", key)
    assert masker.unmask(masker.mask(text)) == text


def test_other_key_does_not_unmask(engine, key):
    masked = engine.mask("SSN 123-45-6789", policy="tokenize", key=key)
    other = phimask.Key.generate()
    assert other.key_id != key.key_id
    assert engine.unmask(masked, other, unverified=True) != "SSN 123-45-6789"


def test_keys_from_file_and_env(tmp_path, monkeypatch, key):
    hex_file = tmp_path / "key.txt"
    hex_file.write_text(KEY_BYTES.hex() + "\n")
    assert phimask.Key.from_file(hex_file).key_id == key.key_id
    monkeypatch.setenv("PHIMASK_TEST_KEY", KEY_BYTES.hex())
    assert phimask.Key.from_env("PHIMASK_TEST_KEY").key_id == key.key_id
    written = phimask.Key.write_new(tmp_path / "new.bin")
    assert phimask.Key.from_file(tmp_path / "new.bin").key_id == written.key_id
    assert len(key.key_id) == 8


def test_mask_record_and_round_trip(engine, key):
    record = {
        "patient_name": "Jane Doe",
        "ssn": "123-45-6789",
        "mrn": 12345678,
        "phone": "617-555-0142",
        "email": "jdoe@example.org",
        "visits": [{"ssn": "536-22-8726", "note": "call 508-555-0177"}],
        "count": 3,
        "ok": True,
        "missing": None,
        "ratio": 0.5,
    }
    masked = engine.mask_record(record)
    assert masked["ssn"] == "***-**-6789"
    assert masked["mrn"] == "****5678"
    assert "Doe" not in masked["patient_name"]
    assert masked["visits"][0]["note"] == "call ***-***-0177"
    assert (masked["count"], masked["ok"], masked["missing"], masked["ratio"]) == (3, True, None, 0.5)
    assert list(masked) == list(record)  # key order kept
    assert record["ssn"] == "123-45-6789"  # input untouched

    tokenized = engine.mask_record(record, policy="tokenize", key=key)
    for k in ("patient_name", "ssn", "phone", "email"):
        assert tokenized[k] != record[k], k
    assert isinstance(tokenized["mrn"], int) and tokenized["mrn"] != record["mrn"]
    assert engine.unmask_record(tokenized, key, key_id=key.key_id) == record
    masker = engine.masker("tokenize", key)
    assert masker.unmask_record(masker.mask_record(record)) == record


def test_mask_record_tuple_and_errors(engine):
    assert engine.mask_record(["SSN 123-45-6789", ("x",)]) == ["SSN ***-**-6789", ["x"]]
    with pytest.raises(TypeError, match="not set"):
        engine.mask_record({"a": {1, 2}})
    with pytest.raises(TypeError, match="keys must be str"):
        engine.mask_record({1: "x"})
    with pytest.raises(TypeError, match="64 bits"):
        engine.mask_record({"n": 10**30})
    cyclic: list = []
    cyclic.append(cyclic)
    with pytest.raises(TypeError, match="deeper"):
        engine.mask_record(cyclic)


def test_masker_state_and_stats(engine):
    masker = engine.masker("safe-harbor")
    a = masker.mask("pt John Smith and Mary Jones")
    b = masker.mask("again John Smith")
    assert a == "pt [NAME_1] and [NAME_2]" and b == "again [NAME_1]"
    assert masker.mask_field("ssn", "536228726") == "[SSN_1]"
    assert masker.mask_value("MRN", "00123456", "mrn") == "[MRN_1]"
    stats = masker.stats()
    assert stats["total"] == 5
    assert stats["by_entity"]["NAME"] == {"label": 3}
    assert "John" not in repr(masker) and "John" not in json.dumps(stats)


def test_date_shift_subject(engine, key):
    policy = phimask.Policy.from_toml('[default]\noperator = "mask"\n[entity.DATE]\noperator = "date-shift"\n')
    masker = engine.masker(policy, key)
    masker.set_subject("P-1")
    one = masker.mask("seen 03/14/2020")
    assert one != "seen 03/14/2020" and one.startswith("seen ")
    masker.set_subject("P-1")
    assert masker.mask("seen 03/14/2020") == one


def test_mask_batch_matches_single_calls(engine, key):
    texts = [f"line {i} SSN 123-45-{6000 + i:04d} pt John Smith" for i in range(3000)] + ["", "😀 no phi"]
    assert engine.mask_batch(texts) == [engine.mask(t) for t in texts]
    few = texts[:200] + texts[-2:]
    tokenized = engine.mask_batch(few, policy="tokenize", key=key)
    tok = engine.masker("tokenize", key)
    assert tokenized == [tok.mask(t) for t in few]
    # numbered labels agree across the whole batch, as with one masker
    masker = engine.masker("safe-harbor")
    assert engine.mask_batch(texts, policy="safe-harbor") == [masker.mask(t) for t in texts]


def test_mask_csv_and_mask_file(engine, tmp_path, key):
    src = REPO / "examples" / "patients.csv"
    dst = tmp_path / "out.csv"
    report = engine.mask_csv(src, dst)
    assert report["format"] == "csv" and report["records"] > 0 and report["masked"] > 0
    rows_in = list(csv.DictReader(open(src, encoding="utf-8")))
    rows_out = list(csv.DictReader(open(dst, encoding="utf-8")))
    assert len(rows_in) == len(rows_out)
    out_text = dst.read_text(encoding="utf-8")
    for row in rows_in:
        for column in ("name", "ssn", "phone", "email"):
            assert row[column] not in out_text, column

    tok = tmp_path / "tok.csv"
    engine.mask_file(src, tok, policy="tokenize", key=key, subject_field="patient_id")
    assert tok.read_text(encoding="utf-8") != src.read_text(encoding="utf-8")

    log_src = REPO / "examples" / "app.log"
    log_dst = tmp_path / "app.log"
    report = engine.mask_file(log_src, log_dst)
    assert report["format"] == "text"
    masker = engine.masker()
    expected = masker.mask(log_src.read_text(encoding="utf-8"))
    assert log_dst.read_text(encoding="utf-8") == expected

    bad = tmp_path / "bad.ndjson"
    bad.write_text('{"ssn": "123-45-6789"}\nnot json 536-22-8726\n')
    with pytest.raises(phimask.InputError) as err:
        engine.mask_file(bad, tmp_path / "never.ndjson")
    assert err.value.line == 2 and "536" not in str(err.value)
    assert not (tmp_path / "never.ndjson").exists()  # failed runs leave no output
    report = engine.mask_file(bad, tmp_path / "skip.ndjson", on_error="skip")
    assert report["skipped"] == 1 and report["skipped_lines"] == [2]
    assert "536-22" not in (tmp_path / "skip.ndjson").read_text()
    with pytest.raises(phimask.ConfigError):
        engine.mask_file(src, src)


def test_d8_unmask_refuses_a_wrong_or_unchecked_key(engine, key):
    """Without the key id recorded at mask time, or with another key, unmask
    raises instead of restoring wrong values; a one-way policy cannot be
    unmasked."""
    masked = engine.mask("SSN 123-45-6789", policy="tokenize", key=key)
    other = phimask.Key.generate()
    with pytest.raises(phimask.KeyMaterialError) as err:
        engine.unmask(masked, key)
    assert "key id" in str(err.value)
    with pytest.raises(phimask.KeyMaterialError) as err:
        engine.unmask(masked, other, key_id=key.key_id)
    assert "wrong key" in str(err.value) and "123-45" not in str(err.value)
    with pytest.raises(phimask.KeyMaterialError):
        engine.unmask_record({"ssn": masked}, other, key_id=key.key_id)
    with pytest.raises(phimask.ConfigError):
        engine.unmask(masked, key, policy="safe-harbor", key_id=key.key_id)
    assert engine.unmask(masked, key, key_id=key.key_id) == "SSN 123-45-6789"


def test_d6_mask_file_keeps_wide_text_and_refuses_binary(engine, tmp_path):
    """UTF-16 input is masked and written back as UTF-16 (same mark, only the
    PHI changed); a binary file is refused unless input_format says text."""
    src = tmp_path / "note.txt"
    src.write_bytes("SSN 123-45-6789 naïve\r\n".encode("utf-16"))
    dst = tmp_path / "out.txt"
    engine.mask_file(src, dst)
    assert dst.read_bytes() == "SSN ***-**-6789 naïve\r\n".encode("utf-16")
    blob = tmp_path / "blob.bin"
    blob.write_bytes(b"SSN 123-45-6789\x00\x01\x02")
    with pytest.raises(phimask.InputError) as err:
        engine.mask_file(blob, tmp_path / "never.bin")
    assert "binary" in str(err.value) and "123-45" not in str(err.value)
    assert not (tmp_path / "never.bin").exists()
    engine.mask_file(blob, tmp_path / "forced.bin", input_format="text")
    assert b"123-45-6789" not in (tmp_path / "forced.bin").read_bytes()
