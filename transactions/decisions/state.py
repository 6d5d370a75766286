"""The recent state the checks read: the card's reports in the last minutes, the terminal's last place.

Two stores give the same answers (tests/transactions/decisions/test_state.py runs both):

- **Redis** (``REDIS_URL`` set): per merchant and card a sorted set of its reports scored by the
  time they occurred (member ``report_id|terminal|fen``), per terminal a sorted set of its located
  reports (member ``report_id|lat|lng``); one Lua script adds reports and trims, another counts
  and sums their windows, a third finds each report's predecessor at its terminal, each call
  atomic over a chunk of a batch, every chunk in one round trip. A window is
  answered from Redis only when Redis has seen every report since its start: ``dec:since``
  records when this Redis started holding the state (set anew after it lost it, or after this
  process could not reach it), members older than ``RETENTION`` are trimmed, and a window
  reaching further back is read from the database.
- **the database** (the embedded default, and the fallback when Redis cannot be reached): the
  same questions as indexed queries over the reports, which are already written in the same
  transaction.

A Redis that is down never stops reporting: the error is caught, the state is read from the
database, and the decision records ``fallback`` (counted in admin).
"""

from __future__ import annotations

import logging
import time
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

import redis
from django.conf import settings
from django.db.models import Q

from transactions.decisions.base import CardWindow, LastSeen, Screened, card_key
from transactions.models import Report, StateSource

log = logging.getLogger(__name__)

RETENTION = timedelta(days=1)
# Cards per query when the database answers (under SQLite's bound-parameter limit).
KEYS_PER_QUERY = 900
# How long a process leaves Redis alone after it could not reach it (each try costs a timeout).
BACKOFF_SECONDS = 5.0
TIMEOUT_SECONDS = 0.2
ZERO = Decimal("0.00")

# A batch's reports go to Redis in chunks of CHUNK, one script call each (every call is atomic,
# and Redis serves other terminals between the calls), all in one pipeline: one round trip.
CHUNK = 500
# Adds a chunk of reports and trims. KEYS: per report its card set and its location set ("" when
# it has none); ARGV: trim-below score, ttl seconds, then per report its score, card member and
# location member. Each set gets its chunk's members in one ZADD, then is trimmed and given its
# ttl once (a batch's reports share their terminal's location set).
ADD = """
local trim, ttl = ARGV[1], ARGV[2]
local pending, order = {}, {}
local function add(key, score, member)
  local items = pending[key]
  if items == nil then
    items = {}
    pending[key] = items
    table.insert(order, key)
  end
  table.insert(items, score)
  table.insert(items, member)
end
for i = 1, #KEYS / 2 do
  local card, place, a = KEYS[2 * i - 1], KEYS[2 * i], 3 * i
  if card ~= '' then add(card, ARGV[a], ARGV[a + 1]) end
  if place ~= '' then add(place, ARGV[a], ARGV[a + 2]) end
end
for _, key in ipairs(order) do
  redis.call('ZADD', key, unpack(pending[key]))
  redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. trim)
  redis.call('EXPIRE', key, ttl)
end
"""
# Counts a chunk of card windows. KEYS[1] is "dec:since", then per report its card set; ARGV:
# the retention's start, then per report the window's start (exclusive) and end (inclusive) and
# its terminal id. Members are "report_id|terminal|cents". Per report four values: counts and
# sums (fen, exact) at the merchant and the terminal, or a count of -1 when the window reaches
# back before Redis held the state (before dec:since or the retention): the database answers it.
WINDOWS = """
local complete = math.max(tonumber(redis.call('GET', KEYS[1]) or ARGV[1]), tonumber(ARGV[1]))
local out = {}
for i = 2, #KEYS do
  local a = 3 * i - 4
  if tonumber(ARGV[a]) < complete then
    table.insert(out, -1); table.insert(out, '0'); table.insert(out, 0); table.insert(out, '0')
  else
    local mc, ma, tc, ta = 0, 0, 0, 0
    for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[i], '(' .. ARGV[a], ARGV[a + 1])) do
      local _, _, terminal, cents = string.find(m, '^[^|]*|([^|]*)|(%d+)$')
      mc = mc + 1
      ma = ma + tonumber(cents)
      if terminal == ARGV[a + 2] then
        tc = tc + 1
        ta = ta + tonumber(cents)
      end
    end
    table.insert(out, mc); table.insert(out, tostring(ma))
    table.insert(out, tc); table.insert(out, tostring(ta))
  end
end
return out
"""
CENT = Decimal("0.01")
# Each report's predecessor at its terminal, for a chunk of reports. KEYS: per report its place
# set; ARGV: per report its score and its own member. Per report two values: the latest other
# member at or before its time and that member's score; "" when there is none, "?" when the
# latest other one has the very same score (the order of a tie is the report ids', which the
# database decides: both go to the database). Each set is read once over the chunk's span (and
# the one member before it), then each report's place in it is found by binary search.
PLACES = """
local low, high = {}, {}
for i = 1, #KEYS do
  local key, score = KEYS[i], ARGV[2 * i - 1]
  if low[key] == nil or tonumber(score) < tonumber(low[key]) then low[key] = score end
  if high[key] == nil or tonumber(score) > tonumber(high[key]) then high[key] = score end
end
local members, scores, texts = {}, {}, {}
for key, from in pairs(low) do
  local m, s, t = {}, {}, {}
  local rows = redis.call('ZREVRANGEBYSCORE', key, '(' .. from, '-inf', 'WITHSCORES', 'LIMIT', 0, 1)
  for _, row in ipairs({rows, redis.call('ZRANGEBYSCORE', key, from, high[key], 'WITHSCORES')}) do
    for j = 1, #row, 2 do
      table.insert(m, row[j]); table.insert(s, tonumber(row[j + 1])); table.insert(t, row[j + 1])
    end
  end
  members[key], scores[key], texts[key] = m, s, t
end
local out = {}
for i = 1, #KEYS do
  local m, s, t = members[KEYS[i]], scores[KEYS[i]], texts[KEYS[i]]
  local score, own = tonumber(ARGV[2 * i - 1]), ARGV[2 * i]
  local lo, hi = 0, #s  -- the last entry at or before the report's score: s[lo]
  while lo < hi do
    local mid = math.floor((lo + hi + 1) / 2)
    if s[mid] <= score then lo = mid else hi = mid - 1 end
  end
  if lo > 0 and m[lo] == own then lo = lo - 1 end
  local found, at = '', ''
  if lo > 0 then
    if s[lo] == score then found = '?' else found, at = m[lo], t[lo] end
  end
  table.insert(out, found); table.insert(out, at)
end
return out
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
    """Each report's card window over ``minutes`` and the terminal's located report before it.

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


def _database_windows(reports: Sequence[Screened], minutes: int) -> list[CardWindow | None]:
    """Each report's card window, from one query per merchant and chunk of cards.

    The reports of the cards concerned in the span of all the windows are read once (the
    ``report_merchant_time`` index), then each window is cut out of them by time.
    """
    span = timedelta(minutes=minutes)
    by_card: dict[tuple[int, str], list[tuple[datetime, int, Decimal]]] = {}
    carded = [r for r in reports if r.card_key]
    for merchant_id in {r.merchant_id for r in carded}:
        mine = [r for r in carded if r.merchant_id == merchant_id]
        keys = sorted({r.card_key for r in mine})
        since = min(r.occurred_at for r in mine) - span
        until = max(r.occurred_at for r in mine)
        for start in range(0, len(keys), KEYS_PER_QUERY):
            rows = (
                Report.objects.order_by()
                .filter(
                    _cards_q(keys[start : start + KEYS_PER_QUERY]),
                    merchant_id=merchant_id,
                    occurred_at__gt=since,
                    occurred_at__lte=until,
                )
                .values_list("card_token", "masked_pan", "occurred_at", "terminal_id", "amount")
            )
            for token, pan, occurred_at, terminal_id, amount in rows:
                key = card_key(card_token=token, masked_pan=pan)
                by_card.setdefault((merchant_id, key), []).append(
                    (occurred_at, terminal_id, amount)
                )
    timelines = {key: _Timeline(uses) for key, uses in by_card.items()}
    empty = _Timeline([])
    return [
        timelines.get((r.merchant_id, r.card_key), empty).window(r, minutes) if r.card_key else None
        for r in reports
    ]


def _cards_q(keys: Sequence[str]) -> Q:
    tokens = [value for kind, _sep, value in (k.partition(":") for k in keys) if kind == "t"]
    pans = [value for kind, _sep, value in (k.partition(":") for k in keys) if kind == "p"]
    return Q(card_token__in=tokens) | Q(card_token="", masked_pan__in=pans)


class _Timeline:
    """One card's uses sorted by time, with running totals, at the merchant and per terminal:
    a window is two binary searches, however many uses the batch brings."""

    def __init__(self, uses: list[tuple[datetime, int, Decimal]]) -> None:
        uses = sorted(uses, key=lambda use: use[0])
        self.merchant = _Running([(at, amount) for at, _terminal, amount in uses])
        by_terminal: dict[int, list[tuple[datetime, Decimal]]] = {}
        for at, terminal_id, amount in uses:
            by_terminal.setdefault(terminal_id, []).append((at, amount))
        self.terminals = {t: _Running(points) for t, points in by_terminal.items()}

    def window(self, report: Screened, minutes: int) -> CardWindow:
        start = report.occurred_at - timedelta(minutes=minutes)
        merchant_count, merchant_amount = self.merchant.between(start, report.occurred_at)
        here = self.terminals.get(report.terminal_id)
        terminal_count, terminal_amount = (
            here.between(start, report.occurred_at) if here else (0, ZERO)
        )
        return CardWindow(minutes, terminal_count, terminal_amount, merchant_count, merchant_amount)


class _Running:
    """Times in order with the running total of their amounts."""

    def __init__(self, points: list[tuple[datetime, Decimal]]) -> None:
        self.times = [at for at, _amount in points]
        self.totals = [ZERO]
        for _at, amount in points:
            self.totals.append(self.totals[-1] + amount)

    def between(self, start: datetime, end: datetime) -> tuple[int, Decimal]:
        """Count and sum of the points in (start, end]."""
        first, last = bisect_right(self.times, start), bisect_right(self.times, end)
        return last - first, self.totals[last] - self.totals[first]


def _database_places(reports: Sequence[Screened]) -> list[LastSeen | None]:
    """Each located report's predecessor: the terminal's located report just before it in time
    (then by report id), whatever order they were stored in. Per terminal two queries: the
    located report before the earliest of these, and every located report in their span."""
    places: list[LastSeen | None] = [None] * len(reports)
    by_terminal: dict[int, list[int]] = {}
    for i, r in enumerate(reports):
        if r.lat is not None:
            by_terminal.setdefault(r.terminal_id, []).append(i)
    fields = ("report_id", "lat", "lng", "occurred_at")
    for terminal_id, indexes in by_terminal.items():
        first = min(reports[i].occurred_at for i in indexes)
        last = max(reports[i].occurred_at for i in indexes)
        located = Report.objects.filter(terminal_id=terminal_id, lat__isnull=False)
        before = (
            located.filter(occurred_at__lt=first)
            .order_by("-occurred_at", "-report_id")
            .values(*fields)[:1]
        )
        span = located.filter(occurred_at__range=(first, last)).order_by().values(*fields)
        timeline = sorted([*before, *span], key=lambda row: (row["occurred_at"], row["report_id"]))
        position = {row["report_id"]: n for n, row in enumerate(timeline)}
        for i in indexes:
            n = position[reports[i].report_id]
            if n:
                row = timeline[n - 1]
                places[i] = LastSeen(row["lat"], row["lng"], row["occurred_at"])
    return places


def _from_database(
    reports: Sequence[Screened], *, minutes: int
) -> tuple[list[CardWindow | None], list[LastSeen | None]]:
    return _database_windows(reports, minutes), _database_places(reports)


# --- Redis ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Member:
    """A report as Redis holds it: its keys, its score and its members (made once a report)."""

    card_key: str  # "" without a card
    place_key: str  # "" without a location
    score: str
    card: str  # "report_id|terminal|fen"
    place: str  # "report_id|lat|lng", "" without a location

    @classmethod
    def of(cls, report: Screened) -> _Member:
        rid = str(report.report_id)
        located = report.lat is not None
        return cls(
            card_key=f"dec:c:{report.merchant_id}:{report.card_key}" if report.card_key else "",
            place_key=f"dec:l:{report.terminal_id}" if located else "",
            score=_score(report.occurred_at),
            card=f"{rid}|{report.terminal_id}|{int(report.amount / CENT)}",
            place=f"{rid}|{report.lat}|{report.lng}" if located else "",
        )


def _score(moment: datetime) -> str:
    return f"{moment.timestamp():.6f}"


def _from_redis(
    reports: Sequence[Screened], *, minutes: int
) -> tuple[list[CardWindow | None], list[LastSeen | None], StateSource]:
    """One round trip: add the reports, count the windows Redis has seen whole, read each
    located report's predecessor at its terminal and since when Redis holds the state."""
    client = _client()
    now = time.time()
    if _breaker.dirty:
        # Reports were stored while this process could not reach Redis: it lacks them.
        client.set("dec:since", f"{now:.6f}")
        _breaker.dirty = False
    _breaker.failed_at = None
    ttl = int(RETENTION.total_seconds()) + minutes * 60
    kept_from = f"{now - RETENTION.total_seconds():.6f}"
    members = [_Member.of(r) for r in reports]
    carded = [(r, m) for r, m in zip(reports, members, strict=True) if m.card_key]
    located = [(r, m) for r, m in zip(reports, members, strict=True) if m.place_key]
    span = timedelta(minutes=minutes)
    with client.pipeline(transaction=False) as pipe:
        pipe.setnx("dec:since", f"{now:.6f}")
        pipe.get("dec:since")
        added = _pieces(members, CHUNK)
        for chunk in added:
            keys = [key for m in chunk for key in (m.card_key, m.place_key)]
            args = [kept_from, ttl, *(v for m in chunk for v in (m.score, m.card, m.place))]
            # EVAL, not a registered script: a pipeline of registered scripts first asks the
            # server whether it has them (SCRIPT EXISTS), a round trip of its own every time;
            # EVAL sends the text, which the server finds in its script cache by its digest.
            pipe.eval(ADD, len(keys), *keys, *args)
        counted = _pieces(carded, CHUNK)
        for pairs in counted:
            keys = ["dec:since", *(m.card_key for _r, m in pairs)]
            args = [kept_from]
            for r, m in pairs:
                args += [_score(r.occurred_at - span), m.score, r.terminal_id]
            pipe.eval(WINDOWS, len(keys), *keys, *args)
        placed = _pieces(located, CHUNK)
        for pairs in placed:
            keys = [m.place_key for _r, m in pairs]
            args = [v for _r, m in pairs for v in (m.score, m.place)]
            pipe.eval(PLACES, len(keys), *keys, *args)
        answers = iter(pipe.execute())
    next(answers)  # SETNX
    complete_from = max(float(next(answers)), now - RETENTION.total_seconds())
    for _chunk in added:
        next(answers)
    figures = [value for _chunk in counted for value in next(answers)]
    found = [value for _chunk in placed for value in next(answers)]
    before = {r.report_id: pair for (r, _m), pair in zip(located, _pieces(found, 2), strict=True)}
    windows: list[CardWindow | None] = [None] * len(reports)
    carded_at = (i for i, m in enumerate(members) if m.card_key)
    for i, (mc, ma, tc, ta) in zip(carded_at, _pieces(figures, 4), strict=True):
        if mc >= 0:
            windows[i] = CardWindow(minutes, tc, int(ta) * CENT, mc, int(ma) * CENT)
    to_database_windows = [i for i, m in enumerate(members) if m.card_key and windows[i] is None]
    places: list[LastSeen | None] = []
    to_database_places: list[int] = []
    mine = {str(r.report_id): r for r, _m in located}
    for i, r in enumerate(reports):
        place = _redis_last_seen(r, *before[r.report_id], mine) if r.lat is not None else None
        if r.lat is not None and (place is None or place.occurred_at.timestamp() < complete_from):
            to_database_places.append(i)  # a report Redis never saw may come between
        places.append(place)
    if to_database_windows:
        subset = [reports[i] for i in to_database_windows]
        for i, window in zip(to_database_windows, _database_windows(subset, minutes), strict=True):
            windows[i] = window
    if to_database_places:
        subset = [reports[i] for i in to_database_places]
        for i, place in zip(to_database_places, _database_places(subset), strict=True):
            places[i] = place
    source = (
        StateSource.DATABASE if to_database_windows or to_database_places else StateSource.REDIS
    )
    return windows, places, source


def _pieces(values: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [values[start : start + size] for start in range(0, len(values), size)]


def _redis_last_seen(
    report: Screened, member: bytes, score: bytes, mine: dict[str, Screened]
) -> LastSeen | None:
    """The predecessor PLACES found, or None when there is none or a tie (the database then
    answers). One of ``mine`` (the reports being screened, by id) is taken as it is."""
    if member in (b"", b"?"):
        return None
    report_id, lat, lng = member.decode().split("|")
    if (known := mine.get(report_id)) is not None and known.lat is not None:
        assert known.lng is not None
        return LastSeen(known.lat, known.lng, known.occurred_at)
    moment = datetime.fromtimestamp(float(score), tz=report.occurred_at.tzinfo)
    return LastSeen(Decimal(lat), Decimal(lng), moment)
