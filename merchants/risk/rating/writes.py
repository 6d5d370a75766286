"""Writing a night's ratings: COPY on PostgreSQL, bulk operations elsewhere.

20,000 ratings carry a few kB of JSON factors each; Django's ``bulk_update`` builds one CASE per
field listing every row of a batch (Python time and a quadratic read in the database), and its
inserts adapt every JSON value one parameter at a time. COPY streams them instead, and the
updates are one ``UPDATE … FROM`` a temporary table (``bench/risk_rating.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from merchants.models import MerchantRisk, RiskLevelChange
from portal.common.database import copy_json, copy_rows, has_copy

BATCH = 1000
# bulk_update's CASE lists every row of its batch for each row it writes: keep batches small.
UPDATE_BATCH = 100
RATED_FIELDS = ["score", "computed_level", "factors"]
OVERRIDE_FIELDS = [
    "override_level",
    "override_reason",
    "override_expires_at",
    "override_by",
    "override_at",
]
RISK_COLUMNS = (
    "merchant_id",
    "score",
    "computed_level",
    "factors",
    "computed_at",
    "override_level",
    "override_reason",
)
CHANGE_COLUMNS = (
    "merchant_id",
    "from_level",
    "to_level",
    "cause",
    "trigger",
    "reason",
    "score",
    "factors",
    "created_at",
)


def insert_ratings(rows: Sequence[MerchantRisk]) -> None:
    """First ratings (no override yet)."""
    if not rows:
        return
    if not has_copy():
        MerchantRisk.objects.bulk_create(rows, batch_size=BATCH)
        return
    copy_rows(
        MerchantRisk._meta.db_table,
        RISK_COLUMNS,
        (
            (r.merchant_id, r.score, r.computed_level, copy_json(r.factors), r.computed_at, "", "")
            for r in rows
        ),
    )


def update_ratings(rows: Sequence[MerchantRisk], expired: Sequence[MerchantRisk]) -> None:
    """New scores, levels and factors; ``expired`` also have their override cleared."""
    if not has_copy():
        MerchantRisk.objects.bulk_update(rows, RATED_FIELDS, batch_size=UPDATE_BATCH)
        MerchantRisk.objects.bulk_update(expired, OVERRIDE_FIELDS, batch_size=UPDATE_BATCH)
        return
    if rows:
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE rated (merchant_id integer PRIMARY KEY, score integer, "
                "computed_level varchar(10), factors jsonb) ON COMMIT DROP"
            )
            copy_rows(
                "rated",
                ("merchant_id", "score", "computed_level", "factors"),
                ((r.merchant_id, r.score, r.computed_level, copy_json(r.factors)) for r in rows),
            )
            cursor.execute(
                f"UPDATE {MerchantRisk._meta.db_table} AS m SET score = r.score, "  # noqa: S608
                "computed_level = r.computed_level, factors = r.factors "
                "FROM rated AS r WHERE m.merchant_id = r.merchant_id"
            )
            cursor.execute("DROP TABLE rated")
    MerchantRisk.objects.bulk_update(expired, OVERRIDE_FIELDS, batch_size=UPDATE_BATCH)


def insert_changes(rows: Sequence[RiskLevelChange]) -> None:
    """The night's changes of level (ratings and expired overrides: no actor, no expiry)."""
    if not rows:
        return
    if not has_copy():
        RiskLevelChange.objects.bulk_create(rows, batch_size=BATCH)
        return
    copy_rows(
        RiskLevelChange._meta.db_table,
        CHANGE_COLUMNS,
        (
            (
                c.merchant_id,
                c.from_level,
                c.to_level,
                c.cause,
                c.trigger,
                c.reason,
                c.score,
                copy_json(c.factors),
                c.created_at,
            )
            for c in rows
        ),
    )
