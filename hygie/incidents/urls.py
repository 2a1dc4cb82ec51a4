from django.urls import path

from hygie.incidents import views

app_name = "incidents"

urlpatterns = [
    path("", views.start, name="start"),
    path("q/<str:path>/", views.step, name="step"),
    path("r/<str:path>/", views.result, name="result"),
]
