"""phimask.logging: PhiFilter, install() and the structlog processor."""

from __future__ import annotations

import io
import json
import logging
import os
from typing import Iterator, List, Tuple

import pytest

import phimask
from phimask.logging import ERROR_TEXT, PhiFilter, StructlogProcessor, install, uninstall

SSN = "123-45-6789"
NAME = "John Smith"


@pytest.fixture
def logged(engine) -> Iterator[Tuple[logging.Logger, io.StringIO, PhiFilter]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log = logging.getLogger(f"phimask.test.{os.urandom(4).hex()}")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    phi_filter = PhiFilter(engine)
    handler.addFilter(phi_filter)
    log.addHandler(handler)
    yield log, stream, phi_filter
    log.removeHandler(handler)


def test_percent_args(logged):
    log, stream, f = logged
    log.info("patient %s has SSN %s", NAME, SSN)
    log.info("dict args %(ssn)s", {"ssn": SSN})
    out = stream.getvalue()
    assert SSN not in out and "Smith" not in out
    assert "has SSN ***-**-6789" in out and "dict args ***-**-6789" in out
    assert f.failures == 0


def test_f_strings_and_non_str_messages(logged):
    log, stream, _ = logged
    log.warning(f"lookup failed for {NAME} dob 03/14/1962")
    log.warning({"ssn": SSN})  # a non-str msg is str()-ed, then masked
    out = stream.getvalue()
    assert "Smith" not in out and "03/14/1962" not in out and SSN not in out


def test_exception_traceback_with_phi(logged):
    log, stream, _ = logged

    def lookup(ssn: str) -> None:
        raise KeyError(f"no patient with SSN {ssn} (call 617-555-0123)")

    try:
        lookup(SSN)
    except KeyError:
        log.exception("lookup failed")
    out = stream.getvalue()
    assert "Traceback (most recent call last)" in out and "KeyError" in out
    assert SSN not in out and "617-555-0123" not in out
    assert "***-**-6789" in out


def test_exc_info_is_rendered_once_and_dropped(engine):
    f = PhiFilter(engine)
    try:
        raise ValueError(f"bad {SSN}")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "oops", None, sys.exc_info())
    f.filter(record)
    assert record.exc_info is None and record.exc_text and SSN not in record.exc_text
    # any formatter, even a JSON one that reads exc_info, sees only masked text
    assert SSN not in logging.Formatter().format(record)


def test_extra_fields(logged):
    log, stream, _ = logged
    handler = log.handlers[0]
    handler.setFormatter(logging.Formatter("%(message)s|%(ssn)s|%(mrn)s|%(patient)s|%(visit)s|%(count)s"))
    log.info(
        "visit",
        extra={"ssn": "536228726", "mrn": 12345678, "patient": {"name": NAME, "phone": "617-555-0142"},
               "visit": ["seen 03/14/2020"], "count": 3},
    )
    out = stream.getvalue().strip()
    message, ssn, mrn, patient, visit, count = out.split("|")
    assert message == "visit"
    assert ssn == "*****8726"  # key `ssn` masks the bare number whole as an SSN
    assert mrn == "****5678"
    assert "Smith" not in patient and "555-0142" not in patient
    assert "03/14/2020" not in visit
    assert count == "3"


def test_stack_info_and_two_handlers(engine):
    streams = [io.StringIO(), io.StringIO()]
    log = logging.getLogger("phimask.test.two")
    log.propagate = False
    f = PhiFilter(engine, policy="safe-harbor")
    handlers = []
    for s in streams:
        h = logging.StreamHandler(s)
        h.addFilter(f)
        log.addHandler(h)
        handlers.append(h)
    try:
        log.warning("pt %s", NAME, stack_info=True)
    finally:
        for h in handlers:
            log.removeHandler(h)
    first, second = (s.getvalue() for s in streams)
    assert first == second  # masked once, not twice
    assert first.startswith("pt [NAME_1]\nStack (most recent call last):")


def test_filter_never_raises(engine, logged):
    log, stream, f = logged

    class Boom:
        def mask(self, text: str) -> str:
            raise RuntimeError("internal failure")

    f._masker = Boom()  # type: ignore[assignment]
    log.info("pt %s SSN %s", NAME, SSN, extra={"ssn": SSN})
    out = stream.getvalue()
    assert out.strip() == ERROR_TEXT
    assert f.failures == 1


def test_bad_format_args_are_masked_not_raised(logged):
    log, stream, f = logged
    log.info("SSN %d", SSN)  # wrong conversion: the app's bug
    out = stream.getvalue()
    assert SSN not in out and "***-**-6789" in out
    assert f.failures == 0


def test_install_covers_child_loggers(engine):
    root = logging.getLogger()
    saved_handlers, saved_filters, saved_level = root.handlers[:], root.filters[:], root.level
    stream = io.StringIO()
    root.handlers = [logging.StreamHandler(stream)]
    root.setLevel(logging.INFO)
    try:
        f = install(engine, policy="redact")
        logging.getLogger("app.db.child").info("pt %s SSN %s", NAME, SSN)
        logging.info("root SSN %s", SSN)
    finally:
        uninstall()
        root.handlers, root.filters = saved_handlers, saved_filters
        root.setLevel(saved_level)
    assert isinstance(f, PhiFilter)
    assert stream.getvalue() == "pt  SSN \nroot SSN \n"


def test_d12_install_covers_child_handlers_and_handlers_added_later(engine):
    """A child logger's own handler (not propagating) and a handler that
    logging.config.dictConfig adds after install() print no PHI."""
    import logging.config

    root = logging.getLogger()
    saved_handlers, saved_filters, saved_level = root.handlers[:], root.filters[:], root.level
    own = io.StringIO()
    child = logging.getLogger(f"app.{os.urandom(4).hex()}")
    handler = logging.StreamHandler(own)
    child.addHandler(handler)
    child.propagate = False
    child.setLevel(logging.INFO)
    try:
        install(engine)
        child.info("pt %s SSN %s", NAME, SSN, extra={"ssn": SSN})
        later = io.StringIO()
        logging.config.dictConfig(
            {
                "version": 1,
                "incremental": False,
                "disable_existing_loggers": False,
                "handlers": {"h": {"class": "logging.StreamHandler", "stream": later}},
                "loggers": {"late": {"handlers": ["h"], "level": "INFO", "propagate": False}},
            }
        )
        logging.getLogger("late").info("dob 03/14/1962 SSN %s", SSN)
    finally:
        uninstall()
        child.removeHandler(handler)
        root.handlers, root.filters = saved_handlers, saved_filters
        root.setLevel(saved_level)
    for out in (own.getvalue(), later.getvalue()):
        assert SSN not in out and "Smith" not in out and "03/14/1962" not in out, out
        assert "***-**-6789" in out, out
    # Uninstalled: records are no longer masked at the source.
    assert logging.Logger.makeRecord is not None
    record = child.makeRecord(child.name, logging.INFO, "f", 1, "SSN %s", (SSN,), None)
    assert record.getMessage() == f"SSN {SSN}"


def test_structlog_processor(engine):
    if os.environ.get("PHIMASK_REQUIRE_STRUCTLOG"):
        import structlog
    else:
        structlog = pytest.importorskip("structlog")
    lines: List[str] = []

    class Sink:
        def msg(self, message: str) -> None:
            lines.append(message)

        info = error = warning = msg

    processor = StructlogProcessor(engine)
    log = structlog.wrap_logger(
        Sink(),
        processors=[processor, structlog.processors.JSONRenderer()],
    )
    log.info(f"lookup {NAME}", ssn=SSN, mrn=12345678, timestamp="2024-01-15T10:22:01Z", nested={"phone": "617-555-0142"})
    try:
        raise ValueError(f"bad SSN {SSN}")
    except ValueError:
        log.error("failed", exc_info=True)
    first, second = (json.loads(line) for line in lines)
    assert "Smith" not in first["event"]
    assert first["ssn"] == "***-**-6789" and first["mrn"] == "****5678"
    assert first["timestamp"] == "2024-01-15T10:22:01Z"  # an event time, not PHI
    assert first["nested"] == {"phone": "***-***-0142"}
    assert "Traceback" in second["exception"] and SSN not in second["exception"]
    assert "exc_info" not in second
    assert processor.failures == 0
    # never raises
    processor._masker = None  # type: ignore[assignment]
    assert processor(None, "info", {"event": SSN}) == {"event": ERROR_TEXT}
    assert processor.failures == 1
