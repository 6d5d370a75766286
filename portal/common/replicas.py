"""Read replicas: the pages that only read (dashboard, report list, exports, analytics) may read
from a PostgreSQL streaming replica; everything else, and every write, stays on the primary.

``DATABASE_REPLICA_URLS`` (settings) adds the aliases ``replica_0``, ``replica_1``, … (and
``DATABASE_REPLICA_READS`` turns their use off and on). A view opts
in with ``@reads_from_replica``; inside it (and while its streamed body is produced) the router
sends reads to a replica that is up and no more than ``REPLICA_MAX_LAG_SECONDS`` behind, else to
the primary. Read-your-own-writes: a browser that has just written (any unsafe request that
succeeded) carries a short-lived cookie (``PinToPrimaryMiddleware``) and reads from the primary
until it expires, so a user never sees the page from before their own change.

A replica that fails a query while a view reads from it is set aside for ``REPLICA_RETRY_SECONDS``
and the (read-only) view is run again on the primary: a replica going down costs one retry, never an
error page.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, cast

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

log = logging.getLogger(__name__)

PIN_COOKIE = "portal_pin_primary"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

# The alias reads go to in this request (None: the primary, as Django would choose).
_reading_from: ContextVar[str | None] = ContextVar("reading_from", default=None)


def replica_aliases() -> list[str]:
    return [alias for alias in connections.settings if alias.startswith("replica_")]


class _Health:
    """Per process: when each replica was last found usable or unusable, and until when to trust it."""

    def __init__(self) -> None:
        self.checked: dict[str, tuple[float, bool]] = {}

    def usable(self, alias: str) -> bool:
        now = time.monotonic()
        checked_at, ok = self.checked.get(alias, (0.0, False))
        ttl = settings.REPLICA_CHECK_SECONDS if ok else settings.REPLICA_RETRY_SECONDS
        if alias in self.checked and now - checked_at < ttl:
            return ok
        ok = _lag_seconds(alias) <= settings.REPLICA_MAX_LAG_SECONDS
        self.checked[alias] = (now, ok)
        return ok

    def set_aside(self, alias: str) -> None:
        self.checked[alias] = (time.monotonic(), False)

    def forget(self) -> None:
        self.checked.clear()


health = _Health()

# Caught up when everything received is replayed; otherwise, how old the last replayed change is.
# (Comparing the replay time with now() alone would call an idle, caught-up replica "late".)
LAG_SQL = """
    SELECT CASE
        WHEN NOT pg_is_in_recovery() THEN 0
        WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
        ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
    END
"""


def _lag_seconds(alias: str) -> float:
    """How far ``alias`` is behind the primary; infinity if it cannot be asked."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(LAG_SQL)
            return float(cursor.fetchone()[0])
    except DatabaseError as error:
        log.warning("replica %s is not usable: %s", alias, error)
        connections[alias].close()
        return float("inf")


def choose_replica() -> str | None:
    """A usable replica for this request's reads, or None for the primary."""
    if not settings.DATABASE_REPLICA_READS:
        return None
    for alias in replica_aliases():
        if health.usable(alias):
            return alias
    return None


class ReplicaRouter:
    """Reads inside ``@reads_from_replica`` go to the chosen replica; nothing else changes."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        return _reading_from.get()

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # a replica holds the primary's rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return None if db == DEFAULT_DB_ALIAS else False


def _pinned(request: HttpRequest) -> bool:
    return PIN_COOKIE in request.COOKIES


def _streamed_from(alias: str, content: Iterator[bytes]) -> Iterator[bytes]:
    token = _reading_from.set(alias)
    try:
        yield from content
    finally:
        _reading_from.reset(token)


def _reading(alias: str, view: Callable[..., HttpResponse], *args: Any, **kwargs: Any) -> Any:
    token = _reading_from.set(alias)
    try:
        return view(*args, **kwargs)
    finally:
        _reading_from.reset(token)


def reads_from_replica(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Run a read-only view with its reads on a replica when one is usable (see the module)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        alias = None if _pinned(request) else choose_replica()
        if alias is None:
            return view(request, *args, **kwargs)
        try:
            response = _reading(alias, view, request, *args, **kwargs)
        except OperationalError as error:
            # The view only reads, so it can run again: on the primary, with the replica set
            # aside if it is gone (a query cancelled by the replica's recovery is just retried).
            _replica_failed(alias, error)
            return view(request, *args, **kwargs)
        if isinstance(response, StreamingHttpResponse) and not response.is_async:
            content = cast(Iterator[bytes], response.streaming_content)
            response.streaming_content = _streamed_from(alias, content)
        return response

    return wrapper


def _replica_failed(alias: str, error: OperationalError) -> None:
    connection = connections[alias]
    if connection.connection is None or not connection.is_usable():
        connection.close()
        health.set_aside(alias)
    log.warning("replica %s failed during a read, reading from the primary: %s", alias, error)


class PinToPrimaryMiddleware:
    """After a write, this browser reads from the primary for ``REPLICA_PIN_SECONDS``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.method not in SAFE_METHODS
            and response.status_code < 400
            and settings.DATABASE_REPLICA_READS
            and replica_aliases()
        ):
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
