"""The server agrees with the SDK's shared vectors (sdk/vectors/reports.json).

Each vector is posted to the real API, signed, one by one and then all in one batch: a valid one
is stored (201), an invalid one refused with exactly the field errors the vector lists, which
are the ones the SDK gives locally (tests/sdk/test_vectors.py).
"""

from __future__ import annotations

import pytest

from tests.sdk.support import fresh, vectors
from tests.transactions.helpers import BATCH, REPORTS, TerminalAPI
from transactions.models import Report

pytestmark = pytest.mark.django_db

VECTORS = vectors()


@pytest.fixture
def api(client):
    return TerminalAPI(client)


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_the_server_answers_each_vector_as_listed(api, vector):
    response = api.post(REPORTS, fresh(vector["report"], vector))
    if vector["errors"]:
        assert response.status_code == 400
        assert response.json()["errors"] == vector["errors"]
    else:
        assert response.status_code == 201, response.json()
        assert response.json()["status"] == "accepted"


def test_a_batch_of_every_vector_stores_the_valid_and_lists_the_rest(api):
    reports = [fresh(v["report"], v) for v in VECTORS]
    response = api.post(BATCH, {"reports": reports})
    assert response.status_code == 200
    answer = response.json()
    expected = [(i, v["errors"]) for i, v in enumerate(VECTORS) if v["errors"]]
    assert [(row["index"], row["errors"]) for row in answer["rejected"]] == expected
    assert answer["accepted"] == len(VECTORS) - len(expected)
    assert Report.objects.count() == answer["accepted"]
