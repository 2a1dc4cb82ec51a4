"""One namespace, "awareness", for both sides: URL names predate the split.

Every other app gives its console and its public pages a namespace each, included from
hygie/urls.py; here the capsule pages (/c/…) and the console (/console/awareness/…)
share the names `awareness:*`, so this module joins them.
"""

from django.urls import include, path

from hygie.awareness.urls import console, public

app_name = "awareness"

urlpatterns = [
    *public.urlpatterns,
    path("console/awareness/", include(console)),
]
