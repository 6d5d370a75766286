from csp.decorators import csp_replace
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from merchants.accounts import views as otp_views
from merchants.accounts.forms import PasswordResetInTheirLanguageForm
from portal import views

admin.site.site_header = _("Merchant reporting portal — compliance")
admin.site.site_title = _("Compliance admin")
admin.site.index_title = _("Review queues")

# Swagger UI and Redoc style their pages with inline styles (Redoc also renders in a blob: worker);
# their scripts still come only from our static files (Swagger's start-up script is a separate
# request: the "split" view).
api_docs_csp = csp_replace(
    {"style-src": ["'self'", "'unsafe-inline'"], "worker-src": ["'self'", "blob:"]}
)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/2fa/", otp_views.second_factor_verify, name="otp_verify"),
    path("accounts/2fa/setup/", otp_views.second_factor_setup, name="otp_setup"),
    path("accounts/2fa/backup-codes/", otp_views.backup_codes_renew, name="otp_backup_codes"),
    path("accounts/settings/", otp_views.account_settings, name="account_settings"),
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetInTheirLanguageForm),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("", include("merchants.urls")),
    path("", include("transactions.urls")),
    path("cardholder/", include("transactions.complaints.cardholder.urls")),
    path("api/v1/", include("transactions.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        api_docs_csp(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path(
        "api/redoc/",
        api_docs_csp(
            SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html")
        ),
        name="api-redoc",
    ),
    path("admin/", admin.site.urls),
]
