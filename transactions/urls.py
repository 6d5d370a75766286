from django.urls import path

from transactions.alerts import views as alerts
from transactions.analytics import views as dashboard
from transactions.complaints import views as complaints
from transactions.exchange.webhooks import views as webhooks
from transactions.ingest import views as uploads
from transactions.reconciliation import views as reconciliation
from transactions.reports import views as reports

app_name = "transactions"

urlpatterns = [
    path("merchant/dashboard/", dashboard.dashboard, name="dashboard"),
    path("merchant/reports/", reports.report_list, name="reports"),
    path("merchant/reports/new/", reports.report_new, name="report_new"),
    path("merchant/reports/export.csv", reports.report_export_csv, name="report_export_csv"),
    path("merchant/reports/export.xlsx", reports.report_export_xlsx, name="report_export_xlsx"),
    path("merchant/reports/<int:pk>/", reports.report_detail, name="report_detail"),
    path("merchant/reports/exports/", reports.report_export_list, name="report_exports"),
    path(
        "merchant/reports/exports/<int:pk>/",
        reports.report_export_detail,
        name="report_export_detail",
    ),
    path(
        "merchant/reports/exports/<int:pk>/download/",
        reports.report_export_download,
        name="report_export_download",
    ),
    path("merchant/uploads/", uploads.upload_list, name="uploads"),
    path("merchant/uploads/<int:pk>/", uploads.upload_detail, name="upload_detail"),
    path(
        "merchant/uploads/<int:pk>/results.csv", uploads.upload_results_csv, name="upload_results"
    ),
    path("merchant/alerts/", alerts.alert_list, name="alerts"),
    path("merchant/alerts/<int:pk>/", alerts.alert_detail, name="alert_detail"),
    path(
        "merchant/alerts/<int:pk>/answers/<int:answer_pk>/attachment/",
        alerts.alert_attachment,
        name="alert_attachment",
    ),
    path("merchant/complaints/", complaints.complaint_list, name="complaints"),
    path("merchant/complaints/<int:pk>/", complaints.complaint_detail, name="complaint_detail"),
    path(
        "merchant/complaints/<int:pk>/evidence/<int:evidence_pk>/",
        complaints.complaint_evidence,
        name="complaint_evidence",
    ),
    path("merchant/reconciliation/", reconciliation.recon_list, name="recon_list"),
    path("merchant/reconciliation/files/<int:pk>/", reconciliation.recon_file, name="recon_file"),
    path(
        "merchant/reconciliation/files/<int:pk>/errors.csv",
        reconciliation.recon_file_errors,
        name="recon_file_errors",
    ),
    path("merchant/reconciliation/runs/<int:pk>/", reconciliation.recon_run, name="recon_run"),
    path(
        "merchant/reconciliation/runs/<int:pk>/differences.csv",
        reconciliation.recon_run_csv,
        name="recon_run_csv",
    ),
    path("merchant/webhooks/", webhooks.webhook_list, name="webhooks"),
    path("merchant/webhooks/<int:pk>/", webhooks.webhook_detail, name="webhook_detail"),
    path("merchant/webhooks/<int:pk>/rotate/", webhooks.webhook_rotate, name="webhook_rotate"),
    path("merchant/webhooks/<int:pk>/enable/", webhooks.webhook_enable, name="webhook_enable"),
    path("merchant/webhooks/<int:pk>/disable/", webhooks.webhook_disable, name="webhook_disable"),
    path("merchant/webhooks/<int:pk>/ping/", webhooks.webhook_ping, name="webhook_ping"),
    path("merchant/webhooks/<int:pk>/delete/", webhooks.webhook_delete, name="webhook_delete"),
    path(
        "merchant/webhooks/<int:pk>/deliveries/<int:delivery_pk>/redeliver/",
        webhooks.webhook_redeliver,
        name="webhook_redeliver",
    ),
]
