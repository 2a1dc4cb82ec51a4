from django.urls import path

from hygie.incidents.views import public as views

app_name = "incidents"

urlpatterns = [
    # The national guide.
    path("", views.start, name="start"),
    path("q/<str:path>/", views.step, name="step"),
    path("r/<str:path>/", views.result, name="result"),
    path("r/<str:path>/resume.pdf", views.result_pdf, name="pdf"),
    path("r/<str:path>/resume/", views.result_print, name="print"),
    # The same guide at an organisation's address, with the form to send it a report.
    path("o/<slug:organisation>/", views.start, name="org_start"),
    path("o/<slug:organisation>/q/<str:path>/", views.step, name="org_step"),
    path("o/<slug:organisation>/r/<str:path>/", views.result, name="org_result"),
    path("o/<slug:organisation>/r/<str:path>/resume.pdf", views.result_pdf, name="org_pdf"),
    path("o/<slug:organisation>/r/<str:path>/resume/", views.result_print, name="org_print"),
    path("o/<slug:organisation>/envoyer/", views.send_report, name="org_send"),
    path("o/<slug:organisation>/envoye/<str:token>/", views.report_sent, name="org_sent"),
]
