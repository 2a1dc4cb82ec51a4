"""Awareness campaigns and the programme in the console, mounted at /console/awareness/."""

from django.urls import path

from hygie.awareness.views import console as views

urlpatterns = [
    path("", views.campaign_list, name="campaigns"),
    path("new/", views.campaign_new, name="campaign_new"),
    path("<int:campaign_id>/", views.campaign_results, name="results"),
    path("programme/", views.programme_page, name="programme"),
    path("programme/steps/<int:step_id>/", views.step_action, name="programme_step"),
]
