"""A data rule's explain data as a table: per report, each condition, its value and whether it held."""

from __future__ import annotations

from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from transactions.rules.fields import FIELDS

AGGREGATES = {
    "count": gettext_lazy("count"),
    "sum": gettext_lazy("sum (¥)"),
    "distinct_cards": gettext_lazy("distinct cards"),
    "distinct_terminals": gettext_lazy("distinct terminals"),
}


def condition_label(leaf: dict[str, Any]) -> str:
    """``amount (¥)`` or ``count per card, last 3600 s``, in the reader's language."""
    if "field" in leaf:
        found = FIELDS.get(leaf["field"])
        return str(found.label) if found else leaf["field"]
    if not leaf["seconds"]:
        return _("%(what)s per %(per)s, same Beijing day") % {
            "what": AGGREGATES.get(leaf["aggregate"], leaf["aggregate"]),
            "per": leaf["per"],
        }
    return _("%(what)s per %(per)s, last %(seconds)s s") % {
        "what": AGGREGATES.get(leaf["aggregate"], leaf["aggregate"]),
        "per": leaf["per"],
        "seconds": leaf["seconds"],
    }


def explain_table(explain: dict[str, Any]) -> SafeString | str:
    if not explain:
        return "—"
    rows = [
        (
            report_id,
            leaf["path"],
            condition_label(leaf),
            leaf["op"],
            ", ".join(leaf["operand"]) if isinstance(leaf["operand"], list) else leaf["operand"],
            "—" if leaf["value"] is None else leaf["value"],
            _("yes") if leaf["met"] else _("no"),
        )
        for report_id, leaves in explain.get("reports", {}).items()
        for leaf in leaves
    ]
    head = format_html(
        "<p>{}</p>",
        _("Rule %(rule)s, version %(version)s.")
        % {"rule": explain.get("rule", ""), "version": explain.get("version", "")},
    )
    body = format_html_join(
        "",
        "<tr><td>#{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td><td>{}</td></tr>",
        rows,
    )
    return format_html(
        '{}<table class="rule-explain"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th>'
        "<th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
        head,
        _("report"),
        _("where"),
        _("condition"),
        _("operator"),
        _("compared with"),
        _("value"),
        _("held"),
        body,
    )
