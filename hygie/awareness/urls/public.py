"""The capsule page and its pixels, reached by practitioners through their token."""

from django.urls import path

from hygie.awareness.views import public as views

urlpatterns = [
    path("c/<str:token>/", views.capsule_page, name="capsule"),
    path("c/<str:token>/o.gif", views.open_pixel, name="open_pixel"),
    path("c/<str:token>/fiche.pdf", views.capsule_fiche, name="capsule_fiche"),
    path("c/o/<str:key>.gif", views.aggregate_open, name="aggregate_open"),
]
