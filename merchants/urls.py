from django.urls import path

from .views import onboarding

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
    path("merchant/application/submit/", onboarding.application_submit, name="submit"),
]
