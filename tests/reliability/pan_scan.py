"""Card-data scan: no full card number (PAN) may reach the database or the logs.

The API tests send full PANs on purpose to prove they are refused; this plugin proves the refusal
left no trace. It runs in every pytest worker:

- on PostgreSQL, after each database test and before its transaction is rolled back, it scans
  the tables that test wrote to (``pg_stat_xact_user_tables``; every table after a transactional
  test, whose rows are flushed rather than rolled back), so data that never outlives a test is
  seen too (on SQLite only the end scan runs);
- after each test, it reads the files the test left under ``MEDIA_ROOT`` (a temporary folder
  per test, tests/conftest.py): documents, evidence and answers the test uploaded, and report
  files that should have been deleted once processed;
- after the worker's last test, before the test database is destroyed, it scans every text,
  varchar and json column of every table, and every line the run logged to
  ``var/log/pytest-<worker>-<pid>.log``: the root logger writes there during tests, and so does
  every logger that does not pass its records up to it (Django's ``django.server``, which logs
  each request the live server answers, with its query string).

A finding fails the test it appeared in (or the worker's last test) with the place and a masked
number, never the number itself. The plugin is registered from tests/conftest.py.
"""

from __future__ import annotations

import logging
import logging.config
import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from stdnum import luhn
from stdnum.cn import ric, uscc

# A run of 13-19 digits, or the groupings people type: 4-4-4-4(-3) and Amex 4-6-5, with spaces
# or dashes (the same shapes transactions/ingest/cardscan.py refuses at the API). The digits after
# a decimal point are a fraction (Celery logs "succeeded in 0.3228...s"), not a card number.
_DIGIT_RUN = re.compile(r"(?<!\d)(?<!\d\.)\d{13,19}(?!\d)")
# Not inside a longer token: a UUID's groups (8-4-4-4-12, hex) can read 4-4-4-1 between its
# letters (one logged UUID in ~50,000 did: "…a6120-0005-4418-9b…"); a Chinese character may touch.
_GROUPED = re.compile(
    r"(?<![0-9A-Za-z-])(?:\d{4}([ -])\d{4}\1\d{4}\1\d{1,4}(?:\1\d{1,3})?|\d{4}([ -])\d{6}\2\d{5})"
    r"(?![0-9A-Za-z-])"
)
_HEX_TOKEN = re.compile(r"[0-9a-fA-F]+")
# ISO/IEC 7812: payment cards are issued under major industry identifiers 2-6; the other first
# digits are millisecond timestamps (1...), merchant IDs (8...) and the like, not card numbers.
_CARD_MII = frozenset("23456")
TEXT_FIELD_TYPES = frozenset({"CharField", "TextField", "JSONField"})
DB_TEST_FIXTURES = frozenset({"db", "transactional_db", "live_server", "django_db_reset_sequences"})


def is_pan(digits: str) -> bool:
    """Whether a run of digits is a full card number rather than another identifier."""
    if not (13 <= len(digits) <= 19) or digits[0] not in _CARD_MII or not luhn.is_valid(digits):
        return False
    # An 18-digit USCC or resident ID number with a valid check character is that, not a card.
    return not (len(digits) == 18 and (uscc.is_valid(digits) or ric.is_valid(digits)))


def mask(pan: str) -> str:
    return f"{pan[:6]}{'*' * (len(pan) - 10)}{pan[-4:]}"


def find_pans(text: str) -> list[str]:
    """The full card numbers in ``text``, digits only."""
    if len(text) < 13:
        return []
    found = []
    for match in _GROUPED.finditer(text):
        digits = re.sub(r"[ -]", "", match.group())
        if is_pan(digits):
            found.append(digits)
    for match in _DIGIT_RUN.finditer(text):
        if is_pan(match.group()) and not _inside_hex_token(text, match):
            found.append(match.group())
    return found


def _inside_hex_token(text: str, match: re.Match[str]) -> bool:
    """A digit run inside a hash, key or signature (a long hex token with letters) is no PAN."""
    start, end = match.start(), match.end()
    while start and text[start - 1] in "0123456789abcdefABCDEF":
        start -= 1
    while end < len(text) and text[end] in "0123456789abcdefABCDEF":
        end += 1
    token = text[start:end]
    return len(token) >= 32 and _HEX_TOKEN.fullmatch(token) is not None and not token.isdigit()


@dataclass(frozen=True)
class Finding:
    where: str
    masked: str

    def __str__(self) -> str:
        return f"{self.where}: {self.masked}"


@dataclass
class Totals:
    """What the scans covered in this worker, for the scoreboard."""

    tables: set[str]
    columns: set[str]
    rows: int = 0
    log_lines: int = 0
    media_files: int = 0
    findings: int = 0


TOTALS = Totals(tables=set(), columns=set())


# --- database -------------------------------------------------------------------------------


_COLUMNS: dict[str, dict[str, list[str]]] = {}


def text_columns(connection: Any, tables: Iterable[str] | None = None) -> dict[str, list[str]]:
    """Every text, varchar and json column, by table (all tables unless ``tables`` names some).

    Introspected once per database: the per-test scan must stay cheap.
    """
    if connection.alias not in _COLUMNS:
        _COLUMNS[connection.alias] = _introspect_text_columns(connection)
    columns = _COLUMNS[connection.alias]
    if tables is None:
        return columns
    return {table: columns[table] for table in sorted(set(tables)) if table in columns}


def _introspect_text_columns(connection: Any) -> dict[str, list[str]]:
    columns: dict[str, list[str]] = {}
    introspection = connection.introspection
    with connection.cursor() as cursor:
        for table in sorted(t.name for t in introspection.get_table_list(cursor) if t.type == "t"):
            for column in introspection.get_table_description(cursor, table):
                try:
                    field_type = introspection.get_field_type(column.type_code, column)
                except KeyError:  # a type Django does not map (tsvector, ...): not text
                    continue
                if field_type in TEXT_FIELD_TYPES:
                    columns.setdefault(table, []).append(column.name)
    return columns


def scan_database(connection: Any, tables: Iterable[str] | None = None) -> list[Finding]:
    """Read every text column of ``tables`` (default: all) and return the PANs found."""
    findings: list[Finding] = []
    quote = connection.ops.quote_name
    for table, names in text_columns(connection, tables).items():
        select = ", ".join(f"CAST({quote(name)} AS TEXT)" for name in names)
        TOTALS.tables.add(table)
        TOTALS.columns.update(f"{table}.{name}" for name in names)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {select} FROM {quote(table)}")  # names from introspection
            while rows := cursor.fetchmany(500):
                TOTALS.rows += len(rows)
                for row in rows:
                    for name, value in zip(names, row, strict=True):
                        if value:
                            findings += [
                                Finding(f"{table}.{name}", mask(pan)) for pan in find_pans(value)
                            ]
    return findings


def tables_written_in_transaction(connection: Any) -> list[str]:
    """Tables the open PostgreSQL transaction inserted into or updated."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_stat_xact_user_tables WHERE n_tup_ins + n_tup_upd > 0"
        )
        return [row[0] for row in cursor.fetchall()]


# --- logs -------------------------------------------------------------------------------------


def worker_log_path(base_dir: Path) -> Path:
    """One file per pytest process: runs side by side (and xdist workers) must not mix."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return base_dir / "var" / "log" / f"pytest-{worker}-{os.getpid()}.log"


def scan_lines(lines: Iterable[str], where: str) -> Iterator[Finding]:
    for number, line in enumerate(lines, start=1):
        TOTALS.log_lines += 1
        for pan in find_pans(line):
            yield Finding(f"{where}:{number}", mask(pan))


def scan_log(path: Path) -> list[Finding]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", errors="replace") as lines:
        return list(scan_lines(lines, str(path)))


def capture_every_logger(logging_config: dict[str, Any], handler: str) -> None:
    """Send what every logger logs to ``handler``: the root, and the loggers that do not
    propagate to it, Django's defaults (``django.server``) as well as those in ``logging_config``.

    Written into the dict, not onto the logger objects: a later ``django.setup()`` re-applies
    Django's defaults and then this dict, and would drop a handler added aside.
    """
    from django.utils.log import DEFAULT_LOGGING

    root = logging_config.setdefault("root", {"level": "INFO"})
    root["handlers"] = [*root.get("handlers", []), handler]
    loggers = logging_config.setdefault("loggers", {})
    for name, default in DEFAULT_LOGGING["loggers"].items():
        if default.get("propagate", True) or name in loggers:
            continue
        loggers[name] = {**default, "handlers": list(default.get("handlers", []))}
        _copy_handlers(logging_config, default.get("handlers", []), DEFAULT_LOGGING)
    for config in loggers.values():
        if not config.get("propagate", True) and handler not in config.get("handlers", []):
            config["handlers"] = [*config.get("handlers", []), handler]


def _copy_handlers(into: dict[str, Any], names: Iterable[str], source: dict[str, Any]) -> None:
    """Django's handlers a copied logger names, with their formatters and filters."""
    for name in names:
        spec = source["handlers"][name]
        into.setdefault("handlers", {}).setdefault(name, dict(spec))
        if "formatter" in spec:
            into.setdefault("formatters", {}).setdefault(
                spec["formatter"], source["formatters"][spec["formatter"]]
            )
        for filter_name in spec.get("filters", []):
            into.setdefault("filters", {}).setdefault(filter_name, source["filters"][filter_name])


def _capture_loggers_configured_in_code(handler: logging.Handler | None) -> None:
    """Loggers a library set not to propagate in its own code, which no dict config names."""
    if handler is None:  # a test configured logging its own way; the root's lines still count
        return
    for logger in list(logging.Logger.manager.loggerDict.values()):
        if (
            isinstance(logger, logging.Logger)
            and not logger.propagate
            and not any(other.name == handler.name for other in logger.handlers)
        ):
            logger.addHandler(handler)


# --- uploaded files -------------------------------------------------------------------------

MEDIA_FILE_MAX_BYTES = 32 * 1024 * 1024  # larger than any test's upload; bounds the scan's time


def scan_media(root: Path) -> list[Finding]:
    """The full card numbers in the files under ``root``; spreadsheets are read inside the zip."""
    findings: list[Finding] = []
    if not root.is_dir():
        return findings
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        TOTALS.media_files += 1
        where = str(path.relative_to(root))
        for name, text in _file_texts(path):
            findings += [Finding(f"MEDIA_ROOT/{where}{name}", mask(pan)) for pan in find_pans(text)]
    return findings


def _file_texts(path: Path) -> Iterator[tuple[str, str]]:
    if path.stat().st_size > MEDIA_FILE_MAX_BYTES:
        return
    if zipfile.is_zipfile(path):  # xlsx, docx: the text is in the zipped XML
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                yield f"!{member}", archive.read(member).decode("utf-8", errors="replace")
        return
    yield "", path.read_bytes().decode("utf-8", errors="replace")


# --- pytest plugin ----------------------------------------------------------------------------


class CardDataFound(AssertionError):
    pass


def _fail(findings: list[Finding], when: str) -> None:
    listed = "\n".join(f"  {finding}" for finding in findings[:20])
    raise CardDataFound(f"Full card numbers found {when}:\n{listed}")


class PanScanPlugin:
    """Registered by tests/conftest.py as ``pan_scan``."""

    def __init__(self) -> None:
        self.database_used = False
        self.log_path: Path | None = None
        self.shared_media_root: Path | None = None

    def pytest_configure(self, config: pytest.Config) -> None:
        from django.conf import settings

        self.log_path = worker_log_path(Path(settings.BASE_DIR))
        self.shared_media_root = Path(settings.MEDIA_ROOT)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log_path.write_text("", encoding="utf-8")
        # Into settings.LOGGING, not only onto the root logger: a later django.setup() (WSGI
        # apps built by tests call it) re-applies that dict and would drop a handler added aside.
        logging_config = settings.LOGGING
        logging_config.setdefault("formatters", {})["pan_scan"] = {
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s"
        }
        logging_config.setdefault("handlers", {})["pan_scan"] = {
            "class": "logging.FileHandler",
            "filename": str(self.log_path),
            "encoding": "utf-8",
            "formatter": "pan_scan",
        }
        capture_every_logger(logging_config, "pan_scan")
        logging.config.dictConfig(logging_config)
        _capture_loggers_configured_in_code(_handler("pan_scan"))

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        logging.shutdown()  # flushes and closes the file handler
        # Kept only when it holds what failed the run, for whoever investigates.
        if self.log_path is not None and not TOTALS.findings:
            self.log_path.unlink(missing_ok=True)

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        # A logger made since the last test (by code, not settings) may not propagate either.
        _capture_loggers_configured_in_code(_handler("pan_scan"))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item: pytest.Item, nextitem: pytest.Item | None) -> Any:
        # Before ``yield`` the test's fixtures (and its transaction) are still alive; the
        # failure is raised after it, so the rollback and the other teardowns still happen.
        after_test: list[Finding] = []
        at_end: list[Finding] = []
        if _uses_database(item):
            self.database_used = True
            after_test = self._scan_after_test()
        after_test += self._scan_media_after_test()
        TOTALS.findings += len(after_test)
        if nextitem is None:
            at_end = self._scan_at_end(item.config)
        result = yield
        if after_test:
            _fail(after_test, "in the database or MEDIA_ROOT after this test")
        if at_end:
            _fail(at_end, "at the end of the run (database and logs)")
        return result

    def _scan_after_test(self) -> list[Finding]:
        from django.db import Error, connection

        if connection.vendor != "postgresql" or connection.connection is None:
            return []
        if connection.needs_rollback:  # the test broke its transaction: nothing can be read
            return []
        try:
            tables = (
                tables_written_in_transaction(connection) if connection.in_atomic_block else None
            )
            return scan_database(connection, tables)
        except Error:  # a transaction or connection the test broke on purpose; the end scan runs
            return []

    def _scan_media_after_test(self) -> list[Finding]:
        from django.conf import settings

        # Each test gets its own MEDIA_ROOT (tests/conftest.py); the project's own var/media
        # holds the development server's files, not what a test left.
        media_root = Path(settings.MEDIA_ROOT)
        if media_root == self.shared_media_root:
            return []
        return scan_media(media_root)

    def _scan_at_end(self, config: pytest.Config) -> list[Finding]:
        from django.db import Error, connection
        from pytest_django.plugin import blocking_manager_key

        findings: list[Finding] = []
        if self.database_used and not connection.needs_rollback:
            with config.stash[blocking_manager_key].unblock():
                try:
                    findings += scan_database(connection)
                except Error as exc:  # the last test broke its connection: say so, go on
                    print(f"[pan_scan] database not scanned at the end: {exc}")
        for handler in logging.getLogger().handlers:
            handler.flush()
        if self.log_path is not None:
            findings += scan_log(self.log_path)
        TOTALS.findings += len(findings)
        _record()
        return findings


def _handler(name: str) -> logging.Handler | None:
    return next((handler for handler in logging.getLogger().handlers if handler.name == name), None)


def _uses_database(item: pytest.Item) -> bool:
    return item.get_closest_marker("django_db") is not None or bool(
        DB_TEST_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


def _record() -> None:
    from tests.reliability.scoreboard import record

    # Tables and columns: every worker's end scan reads them all. The counts are each worker's
    # own, summed over the workers of the run by the scoreboard.
    record("card data", "tables scanned", len(TOTALS.tables))
    record("card data", "columns scanned", len(TOTALS.columns))
    record(
        "card data",
        "rows scanned",
        TOTALS.rows,
        note="every database test, plus the end",
        additive=True,
    )
    record(
        "card data",
        "log lines scanned",
        TOTALS.log_lines,
        note="every logger of the test processes",
        additive=True,
    )
    record(
        "card data",
        "uploaded files scanned",
        TOTALS.media_files,
        note="left in MEDIA_ROOT after each test",
        additive=True,
    )
    record("card data", "PANs found", TOTALS.findings, additive=True)
