from django.urls import path, re_path

from transactions.api import views

urlpatterns = [
    path("terminal/reports/", views.ReportCreateView.as_view(), name="terminal-report-create"),
    path("terminal/reports/batch/", views.ReportBatchView.as_view(), name="terminal-report-batch"),
    path(
        "terminal/reports/<uuid:report_id>/",
        views.ReportDetailView.as_view(),
        name="terminal-report-detail",
    ),
    path("terminal/config/", views.TerminalConfigView.as_view(), name="terminal-config"),
    # Last: any other terminal path (a report_id that is no UUID...) is a JSON 404, not HTML.
    # Only paths ending in "/": one without it still gets APPEND_SLASH's redirect first.
    re_path(r"^terminal/.*/$", views.terminal_not_found, name="terminal-not-found"),
]
