"""The external risk list over many merchants (merchants/risk/risklist/).

On PostgreSQL (the benchmark database of ``common.py``), a data set of its own is built once:
``--merchants`` approved merchants, each with a USCC, a MID and its legal representative's ID hash.
Then, timed:
  a. importing a CSV of ``--rows`` entries (a third each USCCs, ID numbers and MIDs; one in ten
     names a merchant of the set, one in a hundred is a bad row);
  b. matching every merchant (``selectors.matches``) alone;
  c. the first scheduled re-check (a result recorded for every merchant, an alert per hit, the hit
     merchants rated);
  d. the next night, nothing changed (every merchant compared, nothing written).
Queries per step, peak RSS. Nothing is rated but the hit merchants.

    uv run python bench/risk_list.py [--merchants 20000] [--rows 30000] [--rebuild]
"""

from __future__ import annotations

import argparse
import random
import resource
import time

import common

common.setup_django()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from stdnum.cn import ric, uscc  # noqa: E402

from merchants.models import (  # noqa: E402
    ApplicationStatus,
    Merchant,
    RiskListCheck,
    RiskListEntry,
    RiskListImport,
)
from merchants.risk.risklist import services  # noqa: E402
from merchants.risk.risklist.selectors import matches  # noqa: E402
from merchants.risk.risklist.services import risk_list_import, risk_list_recheck  # noqa: E402
from portal.common.crypto import id_number_digest  # noqa: E402
from transactions.models import Alert  # noqa: E402

TAG = "risklistbench"
# The import queues the re-check for a worker; here step c runs it in the foreground instead.
services.enqueue_on_commit = lambda *args, **kwargs: None  # type: ignore[assignment]
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_uscc(rng: random.Random) -> str:
    body = "91310115" + "".join(rng.choice(ALPHABET) for _ in range(9))
    return body + uscc.calc_check_digit(body)


def make_id(rng: random.Random) -> str:
    body = f"110105{rng.randint(1950, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body += f"{rng.randint(0, 999):03d}"
    return body + ric.calc_check_digit(body + "0")


def build(count: int) -> list[tuple[str, str, str]]:
    """The merchants; returns each one's (USCC, ID number, MID) for the CSV to name some."""
    rng = random.Random(15)
    people = []
    rows = []
    for i in range(count):
        code, number, mid = make_uscc(rng), make_id(rng), f"897{i:012d}"
        people.append((code, number, mid))
        rows.append(
            Merchant(
                legal_name=f"{TAG} {i}",
                short_name=f"{TAG}-{i}",
                mcc="5411",
                uscc=code,
                legal_rep_id_digest=id_number_digest(number),
                status=ApplicationStatus.APPROVED,
                mid=mid,
            )
        )
    with transaction.atomic():
        Merchant.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    return people


def known(count: int) -> list[tuple[str, str, str]]:
    """Rebuild the (USCC, ID, MID) of the merchants built earlier (same seed, same order)."""
    rng = random.Random(15)
    return [(make_uscc(rng), make_id(rng), f"897{i:012d}") for i in range(count)]


def csv_file(people: list[tuple[str, str, str]], rows: int) -> bytes:
    rng = random.Random(16)
    lines = ["kind,value,list,reason,listed_on"]
    for i in range(rows):
        kind = ("uscc", "id_number", "mid")[i % 3]
        if i % 100 == 99:
            lines.append(f"{kind},not-a-value,商户黑名单,,")
            continue
        if i % 10 == 0:
            person = people[rng.randrange(len(people))]
            value = person[i % 3]
        else:
            value = (make_uscc(rng), make_id(rng), f"896{rng.randrange(10**12):012d}")[i % 3]
        lines.append(f"{kind},{value},商户黑名单,套现,2026-11-30")
    return ("\r\n".join(lines) + "\r\n").encode()


def timed(label: str, run) -> object:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = run()
        seconds = time.perf_counter() - started
    print(f"{label:<44} {seconds:7.2f} s  {len(queries):>5} queries  peak {peak_mb():.0f} MB")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--merchants", type=int, default=20000)
    parser.add_argument("--rows", type=int, default=30000)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    ours = Merchant.objects.filter(legal_name__startswith=f"{TAG} ")
    have = ours.count()
    if args.rebuild or have != args.merchants:
        RiskListCheck.objects.filter(merchant__in=ours).delete()
        Alert.objects.filter(merchant__in=ours).delete()
        ours.delete()
        started = time.perf_counter()
        people = build(args.merchants)
        print(f"built {args.merchants} merchants in {time.perf_counter() - started:.1f} s")
    else:
        people = known(args.merchants)
    RiskListCheck.objects.all().delete()
    Alert.objects.filter(rule__code="risk_list_hit").delete()
    RiskListEntry.objects.all().delete()
    RiskListImport.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    from django.contrib.auth import get_user_model

    lead, _created = get_user_model().objects.get_or_create(
        username=f"{TAG}-lead", defaults={"is_superuser": True, "is_staff": True}
    )
    data = csv_file(people, args.rows)
    print(
        f"approved merchants: {Merchant.objects.approved().count()}, CSV {len(data) / 1e6:.1f} MB"
    )
    record = timed(
        f"a. import {args.rows} rows",
        lambda: risk_list_import(data=data, file_name="bench.csv", actor=lead),
    )
    print(f"   {record.rows_added} added, {record.rows_failed} bad rows")
    found = timed("b. match every approved merchant", lambda: matches(Merchant.objects.approved()))
    print(f"   {len(found)} merchants on the list")
    first = timed("c. first re-check (all recorded)", lambda: risk_list_recheck(cause="bench"))
    print(f"   {first.recorded} recorded, {first.alerted} alerted")
    again = timed("d. next night, nothing changed", lambda: risk_list_recheck(cause="bench"))
    print(f"   {again.recorded} recorded")


if __name__ == "__main__":
    main()
