"""The recent state the checks read: the card's reports in the last minutes, the terminal's last place.

Two stores give the same answers (tests/transactions/decisions/test_state.py runs both):

- **Redis** (``REDIS_URL`` set): per merchant and card a sorted set of its reports scored by the
  time they occurred (member ``report_id|terminal|amount``), per terminal a sorted set of its two
  latest located reports; one Lua script adds a report and trims, another reads, so each is
  atomic. A window is answered from Redis only when Redis has seen every report since its start:
  ``dec:since`` records when this Redis started holding the state (set anew after it lost it, or
  after this process could not reach it), members older than ``RETENTION`` are trimmed, and a
  window reaching further back is read from the database.
- **the database** (the embedded default, and the fallback when Redis cannot be reached): the
  same questions as indexed queries over the reports, which are already written in the same
  transaction.

A Redis that is down never stops reporting: the error is caught, the state is read from the
database, and the decision records ``fallback`` (counted in admin).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache

import redis
from django.conf import settings
from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce

from transactions.decisions.base import CardWindow, LastSeen, Screened
from transactions.models import Report, StateSource

log = logging.getLogger(__name__)

RETENTION = timedelta(days=1)
# How long a process leaves Redis alone after it could not reach it (each try costs a timeout).
BACKOFF_SECONDS = 5.0
TIMEOUT_SECONDS = 0.2
ZERO = Decimal("0.00")

# KEYS: card set ("" when no card), location set ("" when no location); ARGV: score, card member,
# trim-below score, ttl seconds, location member.
ADD = """
if KEYS[1] ~= '' then
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
  redis.call('EXPIRE', KEYS[1], ARGV[4])
end
if KEYS[2] ~= '' then
  redis.call('ZADD', KEYS[2], ARGV[1], ARGV[5])
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -3)
  redis.call('EXPIRE', KEYS[2], ARGV[4])
end
return redis.call('SETNX', 'dec:since', ARGV[6])
"""
# KEYS: card set, location set; ARGV: window start (exclusive), window end (inclusive).
READ = """
local card = {}
if KEYS[1] ~= '' then
  card = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], ARGV[2])
end
local places = {}
if KEYS[2] ~= '' then
  places = redis.call('ZREVRANGE', KEYS[2], 0, 1, 'WITHSCORES')
end
return {card, places, redis.call('GET', 'dec:since') or ''}
"""


class _Breaker:
    """Per process: after a Redis error, the database answers for BACKOFF_SECONDS; the first
    success after an error marks Redis as holding the state only from then on."""

    failed_at: float | None = None
    dirty = False


_breaker = _Breaker()


@cache
def _client() -> redis.Redis:
    return redis.Redis.from_url(
        settings.DECISIONS_REDIS_URL,
        socket_timeout=TIMEOUT_SECONDS,
        socket_connect_timeout=TIMEOUT_SECONDS,
        health_check_interval=30,
    )


def redis_configured() -> bool:
    return bool(getattr(settings, "DECISIONS_REDIS_URL", ""))


def read_state(
    reports: Sequence[Screened], *, minutes: int
) -> tuple[list[CardWindow | None], list[LastSeen | None], StateSource]:
    """Each report's card window over ``minutes`` and its terminal's last other located report.

    Call after the reports are written (in the same transaction): both stores count them.
    """
    if redis_configured():
        if _breaker.failed_at is None or time.monotonic() - _breaker.failed_at > BACKOFF_SECONDS:
            try:
                return _from_redis(reports, minutes=minutes)
            except redis.RedisError as exc:
                _breaker.failed_at = time.monotonic()
                _breaker.dirty = True
                log.warning("Screening state from the database: Redis failed (%s)", exc)
        windows, places = _from_database(reports, minutes=minutes)
        return windows, places, StateSource.FALLBACK
    windows, places = _from_database(reports, minutes=minutes)
    return windows, places, StateSource.DATABASE


# --- the database -------------------------------------------------------------------------


def _card_q(card_key: str) -> Q:
    kind, _sep, value = card_key.partition(":")
    return Q(card_token=value) if kind == "t" else Q(card_token="", masked_pan=value)


def _database_window(report: Screened, minutes: int) -> CardWindow | None:
    if not report.card_key:
        return None
    at_terminal = Q(terminal_id=report.terminal_id)
    money = DecimalField(max_digits=14, decimal_places=2)
    row = (
        Report.objects.order_by()
        .filter(
            _card_q(report.card_key),
            merchant_id=report.merchant_id,
            occurred_at__gt=report.occurred_at - timedelta(minutes=minutes),
            occurred_at__lte=report.occurred_at,
        )
        .aggregate(
            merchant_count=Count("id"),
            merchant_amount=Coalesce(Sum("amount"), Value(ZERO), output_field=money),
            terminal_count=Count("id", filter=at_terminal),
            terminal_amount=Coalesce(
                Sum("amount", filter=at_terminal), Value(ZERO), output_field=money
            ),
        )
    )
    return CardWindow(minutes=minutes, **{k: row[k] for k in row})


def _database_last_seen(report: Screened) -> LastSeen | None:
    row = (
        Report.objects.filter(terminal_id=report.terminal_id, lat__isnull=False)
        .exclude(pk=report.pk)
        .order_by("-occurred_at", "-report_id")
        .values("lat", "lng", "occurred_at")
        .first()
    )
    return LastSeen(row["lat"], row["lng"], row["occurred_at"]) if row else None


def _from_database(
    reports: Sequence[Screened], *, minutes: int
) -> tuple[list[CardWindow | None], list[LastSeen | None]]:
    return (
        [_database_window(r, minutes) for r in reports],
        [_database_last_seen(r) if r.lat is not None else None for r in reports],
    )


# --- Redis ----------------------------------------------------------------------------------


def _keys(report: Screened) -> tuple[str, str]:
    card = f"dec:c:{report.merchant_id}:{report.card_key}" if report.card_key else ""
    place = f"dec:l:{report.terminal_id}" if report.lat is not None else ""
    return card, place


def _score(moment: datetime) -> str:
    return f"{moment.timestamp():.6f}"


def _from_redis(
    reports: Sequence[Screened], *, minutes: int
) -> tuple[list[CardWindow | None], list[LastSeen | None], StateSource]:
    client = _client()
    now = time.time()
    if _breaker.dirty:
        # Reports were stored while this process could not reach Redis: it lacks them.
        client.set("dec:since", f"{now:.6f}")
        _breaker.dirty = False
    _breaker.failed_at = None
    ttl = int(RETENTION.total_seconds()) + minutes * 60
    trim_below = f"{now - RETENTION.total_seconds():.6f}"
    add, read = client.register_script(ADD), client.register_script(READ)
    with client.pipeline(transaction=False) as pipe:
        for r in reports:
            card, place = _keys(r)
            member = f"{r.report_id}|{r.terminal_id}|{r.amount}"
            located = f"{r.report_id}|{r.lat}|{r.lng}" if r.lat is not None else ""
            add(
                keys=[card, place],
                args=[_score(r.occurred_at), member, trim_below, ttl, located, f"{now:.6f}"],
                client=pipe,
            )
        for r in reports:
            start = r.occurred_at - timedelta(minutes=minutes)
            read(keys=list(_keys(r)), args=[_score(start), _score(r.occurred_at)], client=pipe)
        answers = pipe.execute()[len(reports) :]
    windows: list[CardWindow | None] = []
    places: list[LastSeen | None] = []
    source = StateSource.REDIS
    for r, (members, located, since) in zip(reports, answers, strict=True):
        complete_from = max(float(since or now), now - RETENTION.total_seconds())
        window_start = (r.occurred_at - timedelta(minutes=minutes)).timestamp()
        if r.card_key and window_start < complete_from:
            windows.append(_database_window(r, minutes))
            source = StateSource.DATABASE
        else:
            windows.append(_redis_window(r, members, minutes) if r.card_key else None)
        if r.lat is None:
            places.append(None)
        elif r.occurred_at.timestamp() < complete_from:
            places.append(_database_last_seen(r))
            source = StateSource.DATABASE
        else:
            places.append(_redis_last_seen(r, located))
    return windows, places, source


def _redis_window(report: Screened, members: list[bytes], minutes: int) -> CardWindow:
    terminal_count = merchant_count = 0
    terminal_amount = merchant_amount = ZERO
    for member in members:
        _rid, terminal_id, amount = member.decode().split("|")
        merchant_count += 1
        merchant_amount += Decimal(amount)
        if int(terminal_id) == report.terminal_id:
            terminal_count += 1
            terminal_amount += Decimal(amount)
    return CardWindow(minutes, terminal_count, terminal_amount, merchant_count, merchant_amount)


def _redis_last_seen(report: Screened, located: list[bytes]) -> LastSeen | None:
    # [member, score, member, score], latest first; the latest that is not this report.
    for member, score in zip(located[::2], located[1::2], strict=True):
        report_id, lat, lng = member.decode().split("|")
        if report_id != str(report.report_id):
            moment = datetime.fromtimestamp(float(score), tz=report.occurred_at.tzinfo)
            return LastSeen(Decimal(lat), Decimal(lng), moment)
    return None
