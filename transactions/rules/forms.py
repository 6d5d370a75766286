"""Admin forms of the rule studio: a rule and its document, a backtest range, a list upload."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from transactions.models import Rule, RuleAction, Severity, SnoozeTarget
from transactions.rules import builder
from transactions.rules.backtest import MAX_DAYS
from transactions.rules.builder import Node
from transactions.rules.compiler import DEFAULTS, CompileError, compile_document
from transactions.rules.schema import FieldError
from transactions.rules.widgets import ConditionsField

EXAMPLE = {
    "severity": "high",
    "action": "alert",
    "scope": {"type": "all"},
    "group_by": "merchant_day",
    "when": {"all": [{"field": "amount", "op": "gte", "value": "5000"}]},
}
GROUP_BY = {
    "report": _("one alert per report"),
    "merchant_day": _("one alert per merchant and Beijing day"),
    "terminal_day": _("one alert per terminal and Beijing day"),
    "card_day": _("one alert per card, merchant and Beijing day"),
}
SCOPES = {
    "all": _("every merchant"),
    "mcc_group": _("merchants of these MCCs"),
    "merchants": _("these merchants (MIDs)"),
    "merchant_list": _("the merchants of a MID list"),
}
# Where the compiler's errors about the document's top level go on the form.
ERROR_FIELDS = {
    "$.severity": "severity",
    "$.action": "action",
    "$.group_by": "group_by",
    "$.scope.type": "scope_type",
    "$.scope.mccs": "scope_values",
    "$.scope.mids": "scope_values",
    "$.scope.list": "scope_list",
    "$.scope": "scope_type",
}


class RuleForm(forms.ModelForm):
    """The rule's name and a new version of its document, built from rows, with the reason.

    Reviewers pick what the rule does (severity, action, grouping, scope) and build its
    conditions with the form builder (``widgets.ConditionBuilder``). The document is assembled
    and compiled here, so a rule that cannot compile, reads a window without a time bound or
    names a missing list comes back with each error on its row or field before anything is saved.
    """

    severity = forms.ChoiceField(label=_("severity"), choices=Severity.choices)
    action = forms.ChoiceField(label=_("action"), choices=RuleAction.choices)
    group_by = forms.ChoiceField(label=_("alerts"), choices=list(GROUP_BY.items()))
    scope_type = forms.ChoiceField(label=_("applies to"), choices=list(SCOPES.items()))
    scope_values = forms.CharField(
        label=_("MCCs or MIDs"),
        required=False,
        help_text=_("Comma-separated: 4-digit MCCs or 15-digit MIDs, as the scope asks."),
    )
    scope_list = forms.CharField(
        label=_("MID list"),
        required=False,
        max_length=40,
        help_text=_("The code of a rule list of MIDs."),
    )
    when = ConditionsField(
        label=_("when it fires"),
        help_text=_(
            "Rows of conditions on a report and window aggregates, in groups that combine with "
            "AND / OR, a group negated with NOT. See docs/rules.md for every field and operator."
        ),
    )
    reason = forms.CharField(
        label=_("why this change"), widget=forms.Textarea(attrs={"rows": 2, "cols": 100})
    )

    class Meta:
        model = Rule
        fields = ("code", "name", "description")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        latest = self.instance.versions.order_by("-number").first() if self.instance.pk else None
        document = {**DEFAULTS, **(latest.document if latest else EXAMPLE)}
        scope = document["scope"]
        for name, value in (
            ("severity", document["severity"]),
            ("action", document["action"]),
            ("group_by", document["group_by"]),
            ("scope_type", scope.get("type", "all")),
            ("scope_values", ", ".join(scope.get("mccs", scope.get("mids", [])))),
            ("scope_list", scope.get("list", "")),
            ("when", builder.from_document(document["when"])),
        ):
            self.fields[name].initial = value
        if self.instance.pk:
            self.fields["code"].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        tree = data.get("when")
        if tree is None or any(f in self.errors for f in ERROR_FIELDS.values()):
            return data
        when, paths = builder.to_document(tree)
        document = {
            "severity": data["severity"],
            "action": data["action"],
            "scope": self._scope(data),
            "group_by": data["group_by"],
            "when": when,
        }
        try:
            compile_document(document)
        except CompileError as exc:
            self._place(exc.errors, tree, paths)
            return data
        data["document"] = document
        return data

    @staticmethod
    def _scope(data: dict[str, Any]) -> dict[str, Any]:
        kind = data["scope_type"]
        values = [v.strip() for v in data.get("scope_values", "").split(",") if v.strip()]
        if kind == "mcc_group":
            return {"type": kind, "mccs": values}
        if kind == "merchants":
            return {"type": kind, "mids": values}
        if kind == "merchant_list":
            return {"type": kind, "list": data.get("scope_list", "")}
        return {"type": kind}

    def _place(self, errors: list[FieldError], tree: Node, paths: dict[str, str]) -> None:
        when_errors = [e for e in errors if e.path.startswith("$.when")]
        for error in errors:
            if error in when_errors:
                continue
            name = next((f for p, f in ERROR_FIELDS.items() if error.path.startswith(p)), None)
            self.add_error(name, str(error) if name is None else error.message)
        if not when_errors:
            return
        left = builder.place_errors(tree, paths, when_errors)
        widget = self.fields["when"].widget
        widget.node_errors = {n.id: n.errors for n in tree.walk() if n.errors}
        self.add_error("when", _("Some conditions need fixing: see the rows marked below."))
        for message in left:
            self.add_error("when", message)


class BacktestForm(forms.Form):
    first_day = forms.DateField(label=_("first day (Beijing)"))
    last_day = forms.DateField(label=_("last day (Beijing)"))


class CompareForm(forms.Form):
    """The Beijing days over which a rule's shadow and live findings are compared."""

    first_day = forms.DateField(label=_("first day (Beijing)"))
    last_day = forms.DateField(label=_("last day (Beijing)"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_day"), data.get("last_day")
        if first and last:
            if last < first:
                self.add_error("last_day", _("The range ends before it starts."))
            elif (last - first).days + 1 > MAX_DAYS:
                self.add_error("first_day", _("Choose at most %(days)s days.") % {"days": MAX_DAYS})
        return data


class SnoozeForm(forms.Form):
    """Snooze an alert's rule for its merchant, terminal or card, until a time, with a reason."""

    target = forms.ChoiceField(label=_("snooze the rule for"))
    ends_at = forms.DateTimeField(
        label=_("until (Beijing time)"), help_text=_("For example 2026-12-31 18:00.")
    )
    reason = forms.CharField(
        label=_("why"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=_("Shown on the rule's later findings for this merchant."),
    )

    def __init__(self, *args: Any, targets: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(SnoozeTarget.choices)
        self.fields["target"].choices = [(t, labels[t]) for t in targets]


class EndSnoozeForm(forms.Form):
    reason = forms.CharField(
        label=_("why it ends early"), widget=forms.Textarea(attrs={"rows": 2, "cols": 80})
    )


class ListUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8, first line: value,note. Bad rows are listed by line; good rows are added."
        ),
    )


def pretty(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)
