"""Mask PHI in log records before they leave the process.

- :class:`PhiFilter` is a :class:`logging.Filter`. It masks the message
  *after* ``%``-formatting it with ``record.args`` (so PHI passed as an
  argument is caught), the rendered traceback of ``exc_info`` (then dropped,
  so no handler can render the raw exception again), ``stack_info``, and
  every ``extra`` field (keys are context: ``extra={"ssn": ...}`` is masked
  whole as an SSN).
- :class:`StructlogProcessor` does the same for a structlog event dict.
- :func:`install` masks every record any logger makes, whatever handler
  writes it (child loggers' own handlers, handlers added later).

Neither ever raises into the application: on an internal error the whole
record becomes ``[PHIMASK ERROR]`` and ``failures`` is incremented.

Put the filter on *handlers* (``install`` does): Python runs a logger's own
filters only for records logged on that very logger, not for records
propagating from child loggers.
"""

from __future__ import annotations

import logging as _logging
import sys
import threading
import traceback
from typing import Any, Dict, MutableMapping, Optional, Tuple, Union

from phimask._native import Engine, Key, Masker, Policy

__all__ = ["ERROR_TEXT", "PhiFilter", "StructlogProcessor", "install", "uninstall"]

#: What a record becomes when masking it fails.
ERROR_TEXT = "[PHIMASK ERROR]"

# Attributes every LogRecord has; anything else on a record came from
# `extra=` (or another filter) and is masked as an extra field.
_STANDARD = frozenset(vars(_logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "taskName",
}

_formatter = _logging.Formatter()


class _Masked(str):
    """A message PhiFilter already masked: a record that passes two handlers
    carrying the same filter is masked once."""

    __slots__ = ()


def _masker(engine: Optional[Engine], policy: Union[str, Policy], key: Optional[Key]) -> Masker:
    return (engine if engine is not None else Engine()).masker(policy, key)


def _mask_value(masker: Masker, key: str, value: Any) -> Any:
    """Masks one field value with its key as context; keeps types where it can."""
    if isinstance(value, str):
        return masker.mask_field(key, value)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float, dict, list, tuple)):
        try:
            return masker.mask_record({key: value})[key]
        except TypeError:
            pass  # holds something that is not JSON-like: mask its text below
    text = str(value)
    masked = masker.mask_field(key, text)
    return value if masked == text else masked


def _format_exc_info(exc_info: Any) -> str:
    if exc_info is True:
        exc_info = sys.exc_info()
    elif isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    if not isinstance(exc_info, tuple) or exc_info[0] is None:
        return ""
    return "".join(traceback.format_exception(*exc_info)).rstrip("\n")


class PhiFilter(_logging.Filter):
    """A logging filter that masks PHI in every record it sees.

    ``engine`` defaults to ``Engine()``; ``policy`` is a preset name or a
    :class:`phimask.Policy`; ``key`` is needed by keyed policies
    (``tokenize``, ``hash``…). One masker serves every record, so numbered
    labels agree across records. Thread-safe. ``failures`` counts records
    that could not be masked (and were replaced by ``[PHIMASK ERROR]``).
    """

    def __init__(
        self,
        engine: Optional[Engine] = None,
        policy: Union[str, Policy] = "mask",
        key: Optional[Key] = None,
    ) -> None:
        super().__init__()
        self._masker = _masker(engine, policy, key)
        self._lock = threading.Lock()
        self.failures = 0

    def filter(self, record: _logging.LogRecord) -> bool:
        """Masks ``record`` in place; always keeps it (returns True)."""
        if isinstance(record.msg, _Masked) and not record.args:
            return True
        try:
            self._mask(record)
        except Exception:  # never raise into the application
            self._fail(record)
        return True

    def _mask(self, record: _logging.LogRecord) -> None:
        masker = self._masker
        try:
            text = record.getMessage()
        except Exception:
            # A bad format string in the application: keep what we can, masked.
            text = "%s %r" % (record.msg, record.args)
        record.msg = _Masked(masker.mask(text))
        record.args = None
        if record.exc_info:
            if not record.exc_text and record.exc_info[0] is not None:
                record.exc_text = _formatter.formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = masker.mask(record.exc_text)
        if record.stack_info:
            record.stack_info = masker.mask(record.stack_info)
        fields = record.__dict__
        for name in fields.keys() - _STANDARD:
            fields[name] = _mask_value(masker, name, fields[name])

    def _fail(self, record: _logging.LogRecord) -> None:
        with self._lock:
            self.failures += 1
        try:
            record.msg = _Masked(ERROR_TEXT)
            record.args = None
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
            fields = record.__dict__
            for name in fields.keys() - _STANDARD:
                fields[name] = ERROR_TEXT
        except Exception:
            pass


class StructlogProcessor:
    """A structlog processor masking every value of the event dict.

    Keys are context (``ssn=...`` is masked whole as an SSN; ``timestamp``
    keeps event times). ``exc_info`` is rendered, masked and stored as
    ``exception`` (what ``structlog.processors.format_exc_info`` does), so
    place this processor before the renderer. On an internal error the
    event becomes ``{"event": "[PHIMASK ERROR]"}`` and ``failures`` grows.
    """

    def __init__(
        self,
        engine: Optional[Engine] = None,
        policy: Union[str, Policy] = "mask",
        key: Optional[Key] = None,
    ) -> None:
        self._masker = _masker(engine, policy, key)
        self._lock = threading.Lock()
        self.failures = 0

    def __call__(self, logger: Any, method_name: str, event_dict: MutableMapping[str, Any]) -> Dict[str, Any]:
        try:
            masker = self._masker
            out: Dict[str, Any] = {}
            for name, value in event_dict.items():
                if name == "exc_info":
                    rendered = _format_exc_info(value)
                    if rendered:
                        out["exception"] = masker.mask(rendered)
                elif name == "event" and isinstance(value, str):
                    out[name] = masker.mask(value)
                else:
                    out[name] = _mask_value(masker, name, value)
            return out
        except Exception:  # never raise into the application
            with self._lock:
                self.failures += 1
            return {"event": ERROR_TEXT}


def install(
    engine: Optional[Engine] = None,
    policy: Union[str, Policy] = "mask",
    key: Optional[Key] = None,
    *,
    logger: Optional[_logging.Logger] = None,
) -> PhiFilter:
    """Masks every record the root logger (or ``logger``) and every logger
    below it emit, whatever handler writes it, in one line.

    Records are masked where they are made (``Logger.makeRecord``, which
    every logger uses, also those created later and those configured by
    ``logging.config.dictConfig``), so a child logger's own handler, a
    handler with ``propagate = False`` or one added after this call sees
    only masked records. The filter is also added to the logger and its
    current handlers (calling ``logging.basicConfig()`` first when the root
    logger has no handler). :func:`uninstall` undoes it.

    Not covered: records built by hand with ``logging.makeLogRecord`` and
    passed straight to a handler (a socket server's), which no logger makes.
    """
    global _installed
    target = logger if logger is not None else _logging.getLogger()
    if logger is None and not target.handlers:
        _logging.basicConfig()
    phi_filter = PhiFilter(engine, policy, key)
    uninstall()
    original = _logging.Logger.makeRecord
    prefix = None if logger is None or logger is _logging.getLogger() else target.name

    def make_record(self: _logging.Logger, *args: Any, **kwargs: Any) -> _logging.LogRecord:
        record = original(self, *args, **kwargs)
        if prefix is None or self.name == prefix or self.name.startswith(prefix + "."):
            phi_filter.filter(record)
        return record

    _logging.Logger.makeRecord = make_record  # type: ignore[method-assign]
    _installed = (original, phi_filter, target)
    target.addFilter(phi_filter)
    for handler in target.handlers:
        handler.addFilter(phi_filter)
    return phi_filter


_installed: Optional[Tuple[Any, PhiFilter, _logging.Logger]] = None


def uninstall() -> None:
    """Undoes :func:`install` (nothing if it was not called)."""
    global _installed
    if _installed is None:
        return
    original, phi_filter, target = _installed
    _logging.Logger.makeRecord = original  # type: ignore[method-assign]
    target.removeFilter(phi_filter)
    for handler in target.handlers:
        handler.removeFilter(phi_filter)
    _installed = None
