"""The rules of one audit part, found side by side on connections of their own.

A run's rules are independent reads of the same window: each costs a few round trips and tens of
milliseconds of database time, and most of a rule's wall time is spent waiting for PostgreSQL.
So on PostgreSQL they are found by ``AUDIT_FIND_THREADS`` threads, each with its own connection
(Django gives each thread one), while the alerts are still written by the caller, one rule after
another, in the run's order.

Threads only where their connections see what the caller sees: not inside a transaction (a
test's, or a caller's atomic block, whose uncommitted rows another connection cannot read), and
not on SQLite (whose in-memory test database is one connection).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from queue import Empty, SimpleQueue
from typing import TypeVar

from django.conf import settings
from django.db import connection, connections

from portal.common.database import has_planner_settings

Found = TypeVar("Found")


def side_by_side(jobs: Sequence[Callable[[], Found]]) -> list[Found]:
    """Each job's result, in the jobs' order; a job that raises raises here (the others stop
    taking jobs)."""
    threads = min(threads_for_finding(), len(jobs))
    if threads <= 1:
        return [job() for job in jobs]
    pending: SimpleQueue[int] = SimpleQueue()
    for index in range(len(jobs)):
        pending.put(index)
    results: dict[int, Found] = {}
    failed = threading.Event()

    def work() -> None:
        try:
            _session_for_finding()
            while not failed.is_set():
                try:
                    index = pending.get_nowait()
                except Empty:
                    return
                try:
                    results[index] = jobs[index]()
                except BaseException:
                    failed.set()
                    raise
        finally:
            connections.close_all()  # this thread's connections, not the caller's

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="audit-find") as pool:
        futures = [pool.submit(work) for _ in range(threads)]
    for future in futures:
        future.result()  # re-raises a job's error
    return [results[index] for index in range(len(jobs))]


def threads_for_finding() -> int:
    """How many threads find a part's rules: 1 where other connections would not see the
    caller's data (SQLite, an open transaction)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return max(int(settings.AUDIT_FIND_THREADS), 1)


def _session_for_finding() -> None:
    """JIT off, as in the caller's session while rules run (``runner._no_jit``); and no parallel
    workers per query: the threads are the parallelism, and a query's workers would only take
    the cores from the other threads' queries (measured: 0.50 s a run with them, 0.43 without,
    ``bench/scale.py audit``)."""
    if has_planner_settings():
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
            cursor.execute("SET max_parallel_workers_per_gather = 0")
