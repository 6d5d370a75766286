"""The merchant's inspections, included under ``merchants:`` by :mod:`merchants.urls`."""

from django.urls import path

from merchants.risk.inspections import views

urlpatterns = [
    path("merchant/risk/inspections/", views.inspection_list, name="inspections"),
    path(
        "merchant/risk/inspections/<int:pk>/photos/",
        views.photos_submit,
        name="inspection_photos_submit",
    ),
    # Staff (admin) and the merchant's members alike: the view checks who may see the photo.
    path(
        "merchant/risk/inspection-photos/<int:pk>/",
        views.photo_download,
        name="inspection_photo",
    ),
]
