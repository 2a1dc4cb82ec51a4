"""The admin application, installed with a site that requires a second factor.

Kept apart from `admin_site` because app configurations load before models exist.
"""

from django.contrib.admin.apps import AdminConfig


class SecondFactorAdminConfig(AdminConfig):
    default_site = "hygie.accounts.admin_site.SecondFactorAdminSite"
