"""The rule studio in Django admin: rules and their versions (diff, lifecycle, backtests), lists.

Thin: the services write (``rule_create``, ``rule_revise``, ``version_transition``,
``backtest_start``, ``list_upload_csv``) and refuse; versions and backtests are read-only pages.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.common.admin import ReadOnlyInline, TrailAdmin, admin_link
from portal.common.admin_actions import permitted_actions, transition_action
from portal.common.beijing import SHANGHAI
from transactions.models import (
    Backtest,
    Rule,
    RuleList,
    RuleListEntry,
    RuleVersion,
    RuleVersionTransition,
)
from transactions.rules import builder
from transactions.rules.backtest import backtest_start
from transactions.rules.compare import shadow_beside_active
from transactions.rules.explain import explain_table
from transactions.rules.forms import (
    BacktestForm,
    CompareForm,
    ListUploadForm,
    RuleForm,
    pretty,
)
from transactions.rules.lists import list_upload_csv
from transactions.rules.services import rule_create, rule_revise, version_transition
from transactions.rules.widgets import render_builder
from transactions.rules.workflow import VERSION


class VersionInline(ReadOnlyInline):
    model = RuleVersion
    fields = readonly_fields = (
        "link",
        "status",
        "action",
        "severity",
        "reason",
        "created_by",
        "created_at",
    )
    ordering = ("-number",)

    @admin.display(description=gettext_lazy("version"))
    def link(self, version: RuleVersion) -> str:
        return admin_link(version, f"v{version.number}")


@admin.register(Rule)
class RuleAdmin(TrailAdmin):
    """Saving the form writes a new version (a draft) through the services, never in place.

    The conditions are edited with the form builder; htmx posts the form to ``builder_view`` to
    add or remove a row or a group. The latest version's document is shown as JSON, read-only.
    """

    form = RuleForm
    change_form_template = "admin/transactions/rule/change_form.html"
    list_display = ("code", "name", "live", "created_at")
    search_fields = ("code", "name")
    inlines = (VersionInline,)
    readonly_fields = ("document_json",)
    fieldsets = (
        (None, {"fields": ("code", "name", "description")}),
        (gettext_lazy("What it does"), {"fields": ("severity", "action", "group_by")}),
        (
            gettext_lazy("To which merchants"),
            {"fields": ("scope_type", "scope_values", "scope_list")},
        ),
        (gettext_lazy("When it fires"), {"fields": ("when",)}),
        (None, {"fields": ("reason",)}),
        (
            gettext_lazy("Advanced: the latest version as JSON"),
            {"fields": ("document_json",), "classes": ("collapse",)},
        ),
    )

    class Media:
        # htmx is loaded by the change form's template, beside the config it needs under the CSP.
        css = {"all": ("css/admin.css",)}

    @admin.display(description=gettext_lazy("rule document"))
    def document_json(self, rule: Rule) -> str:
        latest = rule.versions.order_by("-number").first() if rule.pk else None
        if latest is None:
            return "—"
        return format_html("<pre>{}</pre>", pretty(latest.document))

    @admin.display(description=gettext_lazy("live versions"))
    def live(self, rule: Rule) -> str:
        versions = rule.versions.filter(status__in=["shadow", "active"]).order_by("number")
        return ", ".join(f"v{v.number} ({v.get_status_display()})" for v in versions) or "—"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("transactions.add_rule")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("transactions.add_ruleversion")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # retire its versions instead; alerts point at them

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "builder/",
                self.admin_site.admin_view(self.builder_view),
                name="transactions_rule_builder",
            ),
            path(
                "<int:pk>/compare/",
                self.admin_site.admin_view(self.compare_view),
                name="transactions_rule_compare",
            ),
            *super().get_urls(),
        ]

    def builder_view(self, request: HttpRequest) -> HttpResponse:
        """One step of the form builder (add a row / aggregate / group, remove one), for htmx:
        the posted form's conditions with the step applied, as the builder's HTML."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        tree = builder.from_post(request.POST) or builder.empty()
        op, target = request.POST.get("builder_op", ""), request.POST.get("builder_target", "")
        if not builder.apply(tree, op, target):
            return HttpResponseBadRequest(_("This step cannot be taken here."))
        return HttpResponse(render_builder(tree))

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra = {
            "compare_url": reverse("admin:transactions_rule_compare", args=[object_id]),
            "compare_label": _("Shadow beside active"),
        }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def compare_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The rule's shadow findings beside its live ones, per day, over the chosen days."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        rule = get_object_or_404(Rule, pk=pk)
        today = timezone.now().astimezone(SHANGHAI).date()
        default = {"first_day": today - timedelta(days=29), "last_day": today}
        form = CompareForm(request.GET or default)
        comparison = None
        if form.is_valid():
            comparison = shadow_beside_active(
                rule=rule,
                first_day=form.cleaned_data["first_day"],
                last_day=form.cleaned_data["last_day"],
            )
        return TemplateResponse(
            request,
            "admin/transactions/rule/compare.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Shadow beside active: %(rule)s") % {"rule": rule},
                "rule": rule,
                "form": form,
                "comparison": comparison,
                "live": rule.versions.filter(status__in=["shadow", "active"]).order_by("number"),
                "opts": self.model._meta,
                "media": self.media,
            },
            status=200 if comparison is not None else 400,
        )

    def save_model(self, request: HttpRequest, obj: Rule, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            made = rule_create(
                code=data["code"],
                name=data["name"],
                description=data["description"],
                document=data["document"],
                reason=data["reason"],
                actor=request.user,
            )
            obj.pk, obj.audit_rule_id = made.pk, made.audit_rule_id
            obj.refresh_from_db()
            return
        obj.save(update_fields=["name", "description"])
        try:
            version = rule_revise(
                rule=obj, document=data["document"], reason=data["reason"], actor=request.user
            )
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.WARNING)
            return
        self.message_user(
            request,
            _("Version %(n)s written as a draft.") % {"n": version.number},
            messages.SUCCESS,
        )


class TransitionInline(ReadOnlyInline):
    model = RuleVersionTransition
    fields = readonly_fields = ("created_at", "from_status", "to_status", "actor", "reason")
    verbose_name_plural = gettext_lazy("Lifecycle")


def _step(name: str) -> Any:
    return transition_action(VERSION, name, service=version_transition, object_arg="version")


@admin.register(RuleVersion)
class RuleVersionAdmin(admin.ModelAdmin):
    list_display = ("rule", "number", "status", "action", "severity", "created_by", "created_at")
    list_filter = ("status", "action", "severity")
    search_fields = ("rule__code", "rule__name")
    list_select_related = ("rule", "created_by")
    readonly_fields = (
        "rule",
        "number",
        "status",
        "action",
        "severity",
        "reason",
        "created_by",
        "created_at",
        "document_text",
        "diff_table",
    )
    fields = readonly_fields
    inlines = (TransitionInline,)
    actions = [_step("shadow"), _step("activate"), _step("retire"), "backtest"]

    @admin.display(description=gettext_lazy("rule document"))
    def document_text(self, version: RuleVersion) -> str:
        return format_html("<pre>{}</pre>", pretty(version.document))

    @admin.display(description=gettext_lazy("changes from the previous version"))
    def diff_table(self, version: RuleVersion) -> str:
        if not version.diff:
            return "—"
        rows = format_html_join(
            "",
            "<tr><td><code>{}</code></td><td><del>{}</del></td><td><ins>{}</ins></td></tr>",
            ((d["path"], d["before"] or "—", d["after"] or "—") for d in version.diff),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody>"
            "</table>",
            _("where"),
            _("before"),
            _("after"),
            rows,
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a version is written by editing its rule

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_backtest_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("transactions.add_backtest")

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return permitted_actions(super().get_actions(request), request)

    @admin.action(description=gettext_lazy("Backtest over past days…"), permissions=["backtest"])
    def backtest(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        form = BacktestForm(request.POST if request.POST.get("apply") else None)
        if form.is_valid():
            for version in queryset:
                try:
                    backtest_start(
                        version=version,
                        first_day=form.cleaned_data["first_day"],
                        last_day=form.cleaned_data["last_day"],
                        actor=request.user,
                    )
                except (ValidationError, PermissionDenied) as exc:
                    text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                    self.message_user(request, f"{version}: {text}", messages.ERROR)
                    continue
                self.message_user(request, _("%(v)s: backtest queued.") % {"v": version})
            return HttpResponseRedirect(reverse("admin:transactions_backtest_changelist"))
        return TemplateResponse(
            request,
            "admin/transactions/ruleversion/backtest.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Backtest"),
                "objects": queryset,
                "form": form,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )


class EntryInline(admin.TabularInline):
    model = RuleListEntry
    fields = ("value", "note", "added_by", "added_at")
    readonly_fields = ("added_by", "added_at")
    extra = 0


@admin.register(RuleList)
class RuleListAdmin(TrailAdmin):
    change_form_template = "admin/transactions/rulelist/change_form.html"
    list_display = ("code", "name", "kind", "purpose", "size", "updated_at")
    list_filter = ("kind", "purpose")
    search_fields = ("code", "name", "entries__value")
    inlines = (EntryInline,)

    @admin.display(description=gettext_lazy("entries"))
    def size(self, rule_list: RuleList) -> int:
        return rule_list.entries.count()

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/upload/",
                self.admin_site.admin_view(self.upload_view),
                name="transactions_rulelist_upload",
            ),
            *super().get_urls(),
        ]

    def upload_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Add entries from a CSV: good rows kept, bad rows listed by line number."""
        if not request.user.has_perm("transactions.add_rulelistentry"):
            raise PermissionDenied
        rule_list = get_object_or_404(RuleList, pk=pk)
        form = ListUploadForm(request.POST or None, request.FILES or None)
        result = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data["file"].read()
            result = list_upload_csv(rule_list=rule_list, data=data, actor=request.user)
        return TemplateResponse(
            request,
            "admin/transactions/rulelist/upload.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Upload entries: %(list)s") % {"list": rule_list},
                "rule_list": rule_list,
                "form": form,
                "result": result,
                "opts": self.model._meta,
            },
            status=400 if result and result.errors and not result.added else 200,
        )


@admin.register(Backtest)
class BacktestAdmin(admin.ModelAdmin):
    list_display = (
        "version",
        "start",
        "end",
        "status",
        "progress",
        "alerts",
        "hit_rate",
        "created_by",
        "created_at",
    )
    list_filter = ("status",)
    list_select_related = ("version__rule", "created_by")
    readonly_fields = (
        "version",
        "start",
        "end",
        "status",
        "progress",
        "error",
        "created_by",
        "created_at",
        "finished_at",
        "duration_ms",
        "summary",
        "per_day",
        "per_merchant",
        "sample",
    )
    fields = readonly_fields

    @admin.display(description=gettext_lazy("alerts it would have raised"))
    def alerts(self, backtest: Backtest) -> Any:
        return backtest.results.get("alerts", "—")

    @admin.display(description=gettext_lazy("hit rate"))
    def hit_rate(self, backtest: Backtest) -> str:
        rate = backtest.results.get("hit_rate")
        return "—" if rate is None else f"{rate:.0%}"

    @admin.display(description=gettext_lazy("summary"))
    def summary(self, backtest: Backtest) -> str:
        r = backtest.results
        if not r:
            return "—"
        return _(
            "%(alerts)s alert(s) on %(reports)s report(s); %(confirmed)s overlap alerts staff "
            "confirmed, %(cleared)s alerts they cleared."
        ) % {k: r.get(k, 0) for k in ("alerts", "reports", "confirmed", "cleared")}

    @admin.display(description=gettext_lazy("per day"))
    def per_day(self, backtest: Backtest) -> str:
        rows = backtest.results.get("per_day", {}).items()
        return _table((_("day"), _("alerts")), rows)

    @admin.display(description=gettext_lazy("per merchant"))
    def per_merchant(self, backtest: Backtest) -> str:
        rows = [
            (m["merchant"] or m["merchant_id"], m["alerts"])
            for m in backtest.results.get("per_merchant", [])
        ]
        return _table((_("merchant"), _("alerts")), rows)

    @admin.display(description=gettext_lazy("sample"))
    def sample(self, backtest: Backtest) -> str:
        parts = []
        for item in backtest.results.get("sample", []):
            links = format_html_join(
                " ",
                '<a href="{}">#{}</a>',
                (
                    (reverse("admin:transactions_report_change", args=[rid]), rid)
                    for rid in item["report_ids"]
                ),
            )
            explained = explain_table({"reports": item["explain"]})
            parts.append(
                format_html(
                    "<p>{} · {}: {}</p>{}", item["day"], item["merchant_id"], links, explained
                )
            )
        return format_html_join("", "{}", ((p,) for p in parts)) if parts else "—"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # started from a version ("Backtest over past days…")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _table(head: tuple[str, str], rows: Any) -> str:
    body = format_html_join("", "<tr><td>{}</td><td>{}</td></tr>", rows)
    return format_html(
        "<table><thead><tr><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
        head[0],
        head[1],
        body,
    )
