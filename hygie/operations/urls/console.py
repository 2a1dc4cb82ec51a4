from django.urls import path

from hygie.operations.views import console as views

app_name = "operations"

urlpatterns = [
    path("", views.catcher_list, name="catcher_list"),
    path("<str:name>/", views.catcher_detail, name="catcher_detail"),
    path("<str:name>/html/", views.catcher_html, name="catcher_html"),
]
