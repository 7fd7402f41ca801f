"""Every exception class, mapped from the core error kind; messages hold no PHI."""

from __future__ import annotations

import pytest

import phimask

PHI = "123-45-6789"


def test_hierarchy():
    for cls in (
        phimask.PatternError,
        phimask.ConfigError,
        phimask.InputError,
        phimask.KeyMaterialError,
        phimask.PhimaskIOError,
    ):
        assert issubclass(cls, phimask.PhimaskError)
        assert cls.__module__ == "phimask"
    assert issubclass(phimask.PhimaskError, Exception)


def test_pattern_error(tmp_path):
    bad_regex = '[[detector]]\nid = "broken"\nentity = "MRN"\nregex = "("\nmatch = ["x"]\n'
    with pytest.raises(phimask.PatternError) as err:
        phimask.Engine(pattern_toml=bad_regex)
    e = err.value
    assert e.kind == "pattern" and e.detector_id == "broken" and e.field == "regex"
    assert e.path == "<pattern_toml>"
    assert "broken" in str(e)
    with pytest.raises(phimask.PatternError) as err:
        phimask.Engine(pattern_toml="this is [[ not toml")
    assert err.value.line is not None
    missing = tmp_path / "missing.toml"
    with pytest.raises(phimask.PatternError) as err:
        phimask.Engine(patterns=missing)
    assert err.value.path == str(missing)


def test_config_error():
    cases = [
        lambda: phimask.Engine(min_score=2.0),
        lambda: phimask.Engine(context_window=100_000),
        lambda: phimask.Engine(entities=["NOT_AN_ENTITY"]),
        lambda: phimask.Engine(disable_detectors=["no-such-detector"]),
        lambda: phimask.Policy.preset("no-such-preset"),
        lambda: phimask.Policy.from_toml('[default]\noperator = "explode"\n'),
        lambda: phimask.Engine().mask("x", policy="no-such-preset"),
        lambda: phimask.Engine().masker().mask_value("NOT_AN_ENTITY", "x"),
    ]
    for case in cases:
        with pytest.raises(phimask.ConfigError) as err:
            case()
        assert err.value.kind == "config"
    with pytest.raises(phimask.ConfigError) as err:
        phimask.Engine(disable_detectors=["no-such-detector"])
    assert err.value.detector_id == "no-such-detector"


def test_input_error(tmp_path, engine):
    bad = tmp_path / "bad.csv"
    bad.write_text(f'name,ssn\n"Jane Doe,{PHI}\n')
    with pytest.raises(phimask.InputError) as err:
        engine.mask_csv(bad, tmp_path / "out.csv")
    assert err.value.kind == "input"
    assert PHI not in str(err.value) and "Jane" not in str(err.value)


def test_key_material_error(tmp_path, monkeypatch, engine):
    monkeypatch.delenv("PHIMASK_UNSET_KEY", raising=False)
    with pytest.raises(phimask.KeyMaterialError) as err:
        phimask.Key.from_env("PHIMASK_UNSET_KEY")
    assert "PHIMASK_UNSET_KEY" in str(err.value) and err.value.kind == "key"
    monkeypatch.setenv("PHIMASK_BAD_KEY", f"secret {PHI}")
    with pytest.raises(phimask.KeyMaterialError) as err:
        phimask.Key.from_env("PHIMASK_BAD_KEY")
    assert PHI not in str(err.value) and "secret" not in str(err.value)
    with pytest.raises(phimask.KeyMaterialError):
        phimask.Key.from_bytes(b"too short")
    passphrase = tmp_path / "key.txt"
    passphrase.write_text(f"my passphrase {PHI}\n")
    with pytest.raises(phimask.KeyMaterialError) as err:
        phimask.Key.from_file(passphrase)
    assert err.value.path == str(passphrase)
    assert PHI not in str(err.value) and "passphrase" not in str(err.value).replace(str(passphrase), "")
    with pytest.raises(phimask.KeyMaterialError):
        phimask.Key.from_file(tmp_path / "missing.bin")
    with pytest.raises(phimask.KeyMaterialError):
        engine.mask(f"SSN {PHI}", policy="tokenize")
    with pytest.raises(phimask.KeyMaterialError):
        engine.masker("hash")


def test_io_error(tmp_path, engine):
    with pytest.raises(phimask.PhimaskIOError) as err:
        engine.mask_file(tmp_path / "missing.log", tmp_path / "out.log")
    assert err.value.kind == "io" and err.value.path == str(tmp_path / "missing.log")
    with pytest.raises(phimask.PhimaskIOError):
        phimask.Policy.from_file(tmp_path / "missing.toml")
    with pytest.raises(phimask.PhimaskIOError):
        engine.mask_file(tmp_path / "missing.log", tmp_path / "no-such-dir" / "out.log")


def test_type_errors(engine):
    with pytest.raises(TypeError):
        engine.scan(b"bytes are not text")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        engine.mask("x", policy=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        phimask.Engine(patterns=3)  # type: ignore[arg-type]
