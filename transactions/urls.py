from django.urls import path

from .views import alerts, reports, uploads

app_name = "transactions"

urlpatterns = [
    path("merchant/reports/", reports.report_list, name="reports"),
    path("merchant/reports/new/", reports.report_new, name="report_new"),
    path("merchant/reports/<int:pk>/", reports.report_detail, name="report_detail"),
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
]
