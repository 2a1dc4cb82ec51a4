from django.urls import path

from hygie.awareness import views

app_name = "awareness"

urlpatterns = [
    path("c/<str:token>/", views.capsule_page, name="capsule"),
    path("console/awareness/", views.campaign_list, name="campaigns"),
    path("console/awareness/new/", views.campaign_new, name="campaign_new"),
    path("console/awareness/<int:campaign_id>/", views.campaign_results, name="results"),
]
