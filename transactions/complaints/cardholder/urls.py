from django.urls import path

from transactions.complaints.cardholder import views

app_name = "cardholder"

urlpatterns = [
    path("", views.lookup, name="lookup"),
    path("complaint/<str:token>/", views.complain, name="complain"),
    path("complaint/<str:token>/send/", views.complain_submit, name="complain_submit"),
    path("track/", views.track, name="track"),
    path("track/<str:code>/", views.track_link, name="track_link"),
]
