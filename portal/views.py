"""Shell pages: the landing page that sends each user where they belong, and a health check."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "home.html")
    if request.membership:  # type: ignore[attr-defined]
        return redirect("merchants:overview")
    if request.user.is_staff:
        return redirect("admin:index")
    return render(request, "home.html")


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def favicon(request: HttpRequest) -> HttpResponse:
    # Browsers ask for /favicon.ico on every page, admin included; the icon is a static file.
    return redirect(static("favicon.svg"), permanent=True)
