"""phimask: find and mask PHI (HIPAA Safe Harbor identifiers) in text, logs and records.

A thin layer over the Rust core::

    import phimask
    engine = phimask.Engine()                    # default patterns, compiled once
    engine.scan("pt John Smith MRN 00123456")    # [Finding(entity='NAME', ...), ...]
    engine.mask("SSN 123-45-6789")               # 'SSN ***-**-6789'

Offsets in findings are Python string indices. Nothing phimask raises, logs
or prints (reprs, exception messages) contains the scanned text or key bytes.
"""

from phimask._native import (
    ConfigError,
    Engine,
    Finding,
    InputError,
    Key,
    KeyMaterialError,
    Masker,
    PatternError,
    PhimaskError,
    PhimaskIOError,
    Policy,
    __version__,
    entities,
)
from phimask import logging

__all__ = [
    "ConfigError",
    "Engine",
    "Finding",
    "InputError",
    "Key",
    "KeyMaterialError",
    "Masker",
    "PatternError",
    "PhimaskError",
    "PhimaskIOError",
    "Policy",
    "__version__",
    "entities",
    "logging",
]
