"""A Celery worker SIGKILLed mid-delivery: the receiver sees every event, each id once after dedup.

Real ``celery -A portal worker`` and ``beat`` processes on PostgreSQL and Redis, started as
``tests/transactions/audit/test_celery_worker.py`` starts them, and a real HTTP receiver. The
receiver holds the first request open; the test kills the worker while it waits for the answer.
The message comes back (tasks ack late) but the delivery is still leased by the dead worker, so
the next worker leaves it; once the lease ends, beat's ``dispatch_webhooks`` sends it again, with
the same event id. The other events are delivered meanwhile by the second worker.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from pathlib import Path

import pytest
from django.db import transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from portal.common import events, queue
from tests.reliability.scoreboard import record
from tests.transactions.audit.test_celery_worker import Processes, require_postgres_and_redis
from tests.transactions.exchange.webhooks.helpers import registered
from tests.transactions.exchange.webhooks.receiver import start_receiver
from transactions.models import DeliveryStatus, WebhookDelivery, WebhookEvent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def processes(tmp_path: Path, settings):
    require_postgres_and_redis()
    settings.WEBHOOK_ALLOWED_TEST_HOSTS = ["127.0.0.1"]
    procs = Processes(tmp_path)
    procs.env["WEBHOOK_ALLOWED_TEST_HOSTS"] = "127.0.0.1"
    procs.env["WEBHOOK_TIMEOUT_SECONDS"] = "2"  # a lease of 16 s: the test waits for it to end
    try:
        yield procs
    finally:
        procs.stop_all()


@pytest.fixture
def receiver():
    receiver = start_receiver()
    receiver.hold = threading.Event()
    yield receiver
    receiver.stop()


def test_a_worker_killed_mid_delivery_loses_no_event_and_repeats_only_the_id(
    processes, receiver, monkeypatch
):
    endpoint, _secret = registered(receiver, event_types=[events.COMPLAINT_RECEIVED])
    every_2s, _ = IntervalSchedule.objects.get_or_create(every=2, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.update_or_create(
        name="Send webhooks due",
        defaults={"task": "transactions.tasks.dispatch_webhooks", "interval": every_2s},
    )
    worker = processes.worker("worker-1")
    with processes.sender() as sender:
        # The suite runs tasks in-process; here the web side sends real messages to the workers.
        monkeypatch.setattr(
            queue, "enqueue", lambda name, *a, **kw: sender.send_task(name, args=a, kwargs=kw)
        )
        with transaction.atomic():
            for n in range(3):
                events.event_record(
                    event_type=events.COMPLAINT_RECEIVED,
                    merchant_id=endpoint.merchant_id,
                    data={"complaint_id": n},
                )
    processes.wait_for("the first request at the receiver", receiver.arrived.is_set)
    first_id = receiver.event_ids()[0]
    processes.kill(worker)  # while it waits for the receiver's answer
    hold, receiver.hold = receiver.hold, None
    hold.set()

    processes.worker("worker-2")
    processes.beat()
    processes.wait_for(
        "every delivery delivered",
        lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.SUCCEEDED).count() == 3,
    )

    sent = {event.public_id for event in WebhookEvent.objects.all()}
    received = Counter(receiver.event_ids())
    assert set(received) == sent  # nothing lost
    assert received[first_id] == 2  # the killed attempt's event, sent again with its id
    assert sum(received.values()) == 4
    first, again = [r.body for r in receiver.requests if json.loads(r.body)["id"] == first_id]
    assert first == again  # the same event, byte for byte
    killed = WebhookDelivery.objects.get(event__id=first_id.removeprefix("evt_"))
    log = list(killed.attempt_log.order_by("number").values_list("succeeded", "error"))
    assert log[0][0] is False and "lost" in log[0][1] and log[-1] == (True, "")
    for delivery in WebhookDelivery.objects.all():
        assert delivery.attempt_log.filter(succeeded=True).count() == 1
    record("faults", "worker SIGKILLed mid-delivery (webhooks)", 1)
    record("faults", "mid-delivery: events sent", len(sent))
    record("faults", "mid-delivery: requests received", sum(received.values()))
    record("faults", "mid-delivery: event ids received once after dedup", len(received))
    record("faults", "mid-delivery: events lost", len(sent - set(received)))
