from django.urls import path

from hygie.operations import catcher_views

app_name = "operations"

urlpatterns = [
    path("", catcher_views.catcher_list, name="catcher_list"),
    path("<str:name>/", catcher_views.catcher_detail, name="catcher_detail"),
    path("<str:name>/html/", catcher_views.catcher_html, name="catcher_html"),
]
