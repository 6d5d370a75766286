"""The merchant's dashboard: figures for a period, read from the daily rollups."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _

from merchants.members.access import merchant_required
from portal.common.replicas import reads_from_replica
from transactions.analytics.dashboard import merchant_dashboard, merchant_glance
from transactions.analytics.forms import PRESETS, PeriodForm


@merchant_required()
@reads_from_replica
def dashboard(request: HttpRequest) -> HttpResponse:
    merchant = request.membership.merchant  # type: ignore[attr-defined]
    today = timezone.localdate()
    form = PeriodForm(request.GET or None, today=today)
    board = merchant_dashboard(merchant=merchant, period=form.chosen_period())
    weekdays = [str(WEEKDAYS_ABBR[i]) for i in range(7)]
    return render(
        request,
        "transactions/dashboard.html",
        {
            "form": form,
            "board": board,
            "presets": PRESETS,
            "glance": [
                (dict(PRESETS)[g.period.preset], g)
                for g in merchant_glance(merchant=merchant, today=today)
            ],
            "hours": range(24),
            "heat_rows": list(zip(weekdays, board.heatmap, strict=True)),
            "charts": board.chart_data(),
            "chart_labels": {
                "weekdays": weekdays,
                "sales": _("Sales"),
                "volume": _("Volume (CNY)"),
                "reports": _("Reports"),
                "amount": _("Amount (CNY)"),
            },
        },
    )
