"""The form builder: rows and groups to the rule document and back, errors on their rows, htmx."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import StaffFactory
from tests.transactions.rules.helpers import BIG_UNVERIFIED, builder_post, make_rule, reviewer
from transactions.models import Rule, RuleList
from transactions.rules import builder
from transactions.rules.examples import EXAMPLES

ADD = reverse("admin:transactions_rule_add")
BUILDER = reverse("admin:transactions_rule_builder")

FILTERED = {
    "any": [
        {
            "aggregate": "sum",
            "per": "terminal",
            "window": {"last": 30, "unit": "minutes"},
            "where": {"field": "method", "op": "eq", "value": "credit_card"},
            "op": "gte",
            "value": "20000",
        },
        {
            "not": {
                "all": [
                    {"field": "hour", "op": "in", "value": [1, 2, 3]},
                    {"field": "distance_km", "op": "gt", "value": 50},
                ]
            }
        },
    ]
}


@pytest.mark.parametrize(
    "when",
    [BIG_UNVERIFIED["when"], FILTERED, *(e["document"]["when"] for e in EXAMPLES.values())],
)
def test_a_document_comes_back_unchanged_through_the_builder(when):
    assert builder.to_document(builder.from_document(when))[0] == when


def test_rows_post_back_as_the_tree_they_came_from():
    tree = builder.from_document(FILTERED)
    posted = builder_post({**BIG_UNVERIFIED, "when": FILTERED})
    assert builder.to_document(builder.from_post(posted))[0] == builder.to_document(tree)[0]


pytestmark_db = pytest.mark.django_db


def _built(client, document, **extra):
    client.force_login(reviewer())
    return client.post(ADD, builder_post(document, **extra))


@pytestmark_db
def test_a_reviewer_builds_a_rule_from_rows(client):
    response = _built(client, {**BIG_UNVERIFIED, "when": FILTERED}, code="rows")
    assert response.status_code == 302
    assert Rule.objects.get(code="rows").versions.get().document["when"] == FILTERED


@pytestmark_db
def test_a_row_without_a_value_comes_back_with_the_error_on_its_row(client):
    data = builder_post(BIG_UNVERIFIED)
    data["when:n.0:value"] = ""
    client.force_login(reviewer())
    response = client.post(ADD, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Some conditions need fixing" in page
    row = page.split('data-testid="row-n.0"', 1)[1].split('data-testid="row-n.1"', 1)[0]
    assert "value: This field is required." in row
    assert not Rule.objects.exists()


@pytestmark_db
def test_an_aggregate_without_a_period_is_refused_as_an_unbounded_scan(client):
    when = {"aggregate": "count", "per": "card", "op": "gte", "value": 3}
    response = _built(client, {**BIG_UNVERIFIED, "when": when})
    assert "period: An aggregate needs a time window" in response.content.decode()
    assert not Rule.objects.exists()


@pytestmark_db
def test_a_threshold_that_is_no_number_is_refused_on_its_row(client):
    when = {
        "aggregate": "count",
        "per": "card",
        "window": {"last": 2, "unit": "hours"},
        "op": "gte",
        "value": "many",
    }
    response = _built(client, {**BIG_UNVERIFIED, "when": when})
    assert "value: Give a whole number." in response.content.decode()


@pytestmark_db
def test_a_missing_list_is_refused_on_its_row(client):
    when = {"field": "tid", "op": "in_list", "list": "gone"}
    response = _built(client, {**BIG_UNVERIFIED, "when": when})
    assert "list: There is no list “gone”." in response.content.decode()


@pytestmark_db
def test_a_list_row_offers_the_lists_of_its_kind(client):
    RuleList.objects.create(code="bad_tids", name="TIDs", kind="tid", purpose="block")
    RuleList.objects.create(code="bad_mids", name="MIDs", kind="mid", purpose="block")
    client.force_login(reviewer())
    data = builder_post(
        {**BIG_UNVERIFIED, "when": {"field": "tid", "op": "in_list", "list": "bad_tids"}}
    )
    page = client.post(
        BUILDER, {**data, "builder_op": "refresh", "builder_target": "n"}
    ).content.decode()
    assert 'value="bad_tids" selected' in page and "bad_mids" not in page


@pytestmark_db
def test_a_scope_with_a_bad_mcc_is_refused_on_the_scope_field(client):
    response = _built(client, BIG_UNVERIFIED, scope_type="mcc_group", scope_values="5411, 12")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["scope_values"] == ["“12” is not valid here."]


@pytestmark_db
def test_the_change_page_shows_the_latest_version_as_rows(client):
    rule = make_rule()
    client.force_login(reviewer())
    page = client.get(reverse("admin:transactions_rule_change", args=[rule.pk])).content.decode()
    assert 'name="when:n.1:negate" value="1" checked' in page
    assert 'name="when:n.0:value" value="5000"' in page
    assert "Shadow beside active" in page


@pytestmark_db
@pytest.mark.parametrize(
    ("op", "target", "added"),
    [
        ("add_field", "n", "row-n.2"),
        ("add_aggregate", "n.1", "row-n.1.1"),
        ("add_group", "n", "group-n.2"),
    ],
)
def test_htmx_adds_rows_and_groups(client, op, target, added):
    client.force_login(reviewer())
    data = builder_post(BIG_UNVERIFIED) | {"builder_op": op, "builder_target": target}
    response = client.post(BUILDER, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'data-testid="{added}"' in response.content.decode()


@pytestmark_db
def test_htmx_removes_a_row_and_renumbers_the_rest(client):
    client.force_login(reviewer())
    data = builder_post(BIG_UNVERIFIED) | {"builder_op": "remove", "builder_target": "n.0"}
    page = client.post(BUILDER, data).content.decode()
    assert 'data-testid="row-n.1"' not in page and 'name="when:n.0:kind" value="all"' not in page
    assert 'name="when:n.0.0:field"' in page  # the NOT group moved up to n.0


@pytestmark_db
@pytest.mark.parametrize(
    ("op", "target"), [("remove", "n"), ("add_field", "n.0"), ("add_field", "n.9"), ("drop", "n")]
)
def test_htmx_refuses_a_step_that_cannot_be_taken(client, op, target):
    client.force_login(reviewer())
    data = builder_post(BIG_UNVERIFIED) | {"builder_op": op, "builder_target": target}
    assert client.post(BUILDER, data).status_code == 400


@pytestmark_db
def test_the_builder_view_takes_posts_only_and_from_rule_writers(client):
    client.force_login(reviewer())
    assert client.get(BUILDER).status_code == 405
    client.force_login(StaffFactory(username="outsider", groups=[]))
    data = builder_post(BIG_UNVERIFIED) | {"builder_op": "refresh", "builder_target": "n"}
    assert client.post(BUILDER, data).status_code == 403


def test_choosing_another_field_gives_the_row_an_operator_it_takes():
    tree = builder.from_document({"field": "amount", "op": "gte", "value": "5000"})
    tree.children[0].attrs["field"] = "cvm"
    assert builder.apply(tree, "refresh", "n")
    assert tree.children[0].attrs["op"] == "eq"


def test_groups_nest_only_so_deep():
    tree = builder.empty()
    target = "n"
    while builder.apply(tree, "add_group", target):
        target = f"{target}.{len(tree.find(target).children) - 1}"
    assert target.count(".") == builder.MAX_DEPTH - 1
    too_deep = {"when:n:kind": "all", "when:n" + ".0" * 50 + ":kind": "field"}
    assert builder.from_post(too_deep).children == []
