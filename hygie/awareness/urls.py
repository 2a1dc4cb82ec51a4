from django.urls import path

from hygie.awareness import views

app_name = "awareness"

urlpatterns = [
    path("c/<str:token>/", views.capsule_page, name="capsule"),
    path("c/<str:token>/o.gif", views.open_pixel, name="open_pixel"),
    path("c/<str:token>/fiche.pdf", views.capsule_fiche, name="capsule_fiche"),
    path("c/o/<str:key>.gif", views.aggregate_open, name="aggregate_open"),
    path("console/awareness/", views.campaign_list, name="campaigns"),
    path("console/awareness/new/", views.campaign_new, name="campaign_new"),
    path("console/awareness/<int:campaign_id>/", views.campaign_results, name="results"),
    path("console/awareness/programme/", views.programme_page, name="programme"),
    path(
        "console/awareness/programme/steps/<int:step_id>/",
        views.step_action,
        name="programme_step",
    ),
]
