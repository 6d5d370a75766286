"""The merchant's change requests, included under ``merchants:`` by :mod:`merchants.urls`."""

from django.urls import path

from merchants.risk.changes import views

urlpatterns = [
    path("merchant/changes/", views.change_list, name="changes"),
    # The kind is a query parameter (``?kind=mcc``), not an id: the page is the merchant's own.
    path("merchant/changes/new/", views.change_new, name="change_new"),
    path("merchant/changes/<int:pk>/", views.change_detail, name="change_detail"),
    path(
        "merchant/changes/<int:pk>/documents/",
        views.change_document_upload,
        name="change_document_upload",
    ),
    path("merchant/changes/<int:pk>/<slug:name>/", views.change_step, name="change_step"),
    path(
        "merchant/change-documents/<int:pk>/",
        views.change_document_download,
        name="change_document_download",
    ),
]
