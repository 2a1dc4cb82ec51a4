from django.urls import path

from hygie.phishing import views

app_name = "phishing"

urlpatterns = [
    path("", views.simulation_list, name="simulations"),
    path("new/", views.simulation_new, name="simulation_new"),
    path("<int:campaign_id>/", views.simulation_results, name="results"),
]

# Served on the tracking host names only (see hygie/urls_tracking.py).
tracking_urlpatterns = [
    path("<slug:prefix>/<str:token>/", views.tracked_link, name="tracked_link"),
    path("<slug:prefix>/<str:token>/h/", views.hidden_link, name="hidden_link"),
    path("<slug:prefix>/<str:token>/q.png", views.qr_image, name="qr_image"),
    path("<slug:prefix>/<str:token>/pas-moi/", views.not_me, name="not_me"),
]
