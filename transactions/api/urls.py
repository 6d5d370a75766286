from django.urls import path

from . import views

urlpatterns = [
    path("terminal/reports/", views.ReportCreateView.as_view(), name="terminal-report-create"),
    path("terminal/reports/batch/", views.ReportBatchView.as_view(), name="terminal-report-batch"),
    path(
        "terminal/reports/<uuid:report_id>/",
        views.ReportDetailView.as_view(),
        name="terminal-report-detail",
    ),
    path("terminal/config/", views.TerminalConfigView.as_view(), name="terminal-config"),
]
