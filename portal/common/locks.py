"""Advisory locks: one worker at a time on a long job that spans several transactions (session
locks), and transaction locks on names (a card being screened)."""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Iterable, Iterator
from datetime import timedelta

from django.db import DatabaseError, connection

from portal.common.database import has_advisory_locks

# When a job still unfinished counts as lost (its worker died, its message gone): twice the Redis
# broker's visibility timeout (portal/settings.py), by when a message a dead worker held has had
# its chance to come back. Uploads, settlement files and audit runs are swept after it.
STALLED_AFTER = timedelta(minutes=30)


@contextlib.contextmanager
def worker_claim(space: int, key: int) -> Iterator[bool]:
    """Whether this worker may work on ``(space, key)`` now: no other worker holds it.

    On PostgreSQL a session advisory lock: held by this worker's connection across the job's
    transactions and released by the server when a killed worker's connection drops, so a dead
    attempt never blocks the re-sent one. SQLite runs one writer at a time anyway.
    """
    if not has_advisory_locks():
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [space, key])
        claimed = bool(cursor.fetchone()[0])
    try:
        yield claimed
    finally:
        if claimed:
            # A connection lost mid-job took its lock with it: nothing is left to release.
            with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [space, key])


def transaction_locks(space: int, names: Iterable[str]) -> None:
    """Hold ``(space, name)`` for each name until the current transaction ends (PostgreSQL).

    Taken in one statement and in a stable order, so two transactions that want some of the
    same names cannot deadlock. SQLite runs one writing transaction at a time: nothing to do.
    """
    keys = sorted({zlib.crc32(name.encode()) - 2**31 for name in names})
    if not keys or not has_advisory_locks():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, k) FROM unnest(%s::integer[]) AS k ORDER BY k",
            [space, keys],
        )
