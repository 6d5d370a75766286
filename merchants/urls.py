from django.urls import include, path

from merchants.members import views as members
from merchants.onboarding import views as onboarding
from merchants.reporting import views as settings
from merchants.risk.rating import views as risk
from merchants.terminals import views as terminals

app_name = "merchants"

urlpatterns = [
    path("signup/", onboarding.signup, name="signup"),
    path("merchant/", onboarding.overview, name="overview"),
    path("merchant/application/", onboarding.application, name="application"),
    path(
        "merchant/application/documents/",
        onboarding.document_upload,
        name="document_upload",
    ),
    path("merchant/documents/<int:pk>/", onboarding.document_download, name="document_download"),
    path("merchant/application/submit/", onboarding.application_submit, name="submit"),
]

urlpatterns += [
    path("merchant/terminals/", terminals.terminal_list, name="terminals"),
    path("merchant/terminals/<int:pk>/", terminals.terminal_detail, name="terminal_detail"),
    path(
        "merchant/terminals/<int:pk>/keys/rotate/",
        terminals.terminal_key_rotate,
        name="terminal_key_rotate",
    ),
    path(
        "merchant/terminals/<int:pk>/keys/<int:key_pk>/revoke/",
        terminals.terminal_key_revoke_view,
        name="terminal_key_revoke",
    ),
    path("merchant/reporting/", settings.reporting_settings, name="reporting_settings"),
    path("merchant/risk/", risk.risk_level, name="risk_level"),
    path("merchant/members/", members.member_list, name="members"),
    path("merchant/members/<int:pk>/role/", members.member_role, name="member_role"),
    path("merchant/members/<int:pk>/remove/", members.member_remove_view, name="member_remove"),
]

urlpatterns += [
    path("", include("merchants.risk.changes.urls")),
    path("", include("merchants.risk.inspections.urls")),
]
