"""The awareness themes. A capsule file naming another theme is refused."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

THEMES = {
    "phishing_email": _("Phishing emails"),
    "phone_sms_fraud": _("Fraud by phone and SMS"),
    "passwords_mfa": _("Passwords and two-factor authentication"),
    "password_manager": _("Password managers"),
    "backups": _("Backups"),
    "updates": _("Updates"),
    "secure_messaging": _("Secure health messaging"),
    "web_browsing": _("Web browsing and downloads"),
    "mobile_devices": _("Smartphones and tablets"),
    "network_remote": _("Wi-Fi, remote access and teleconsultation"),
    "ransomware": _("Ransomware"),
    "data_breach": _("Personal-data breaches"),
    "physical_suppliers": _("USB drives, physical security and suppliers"),
    "health_identity": _("CPS card and e-CPS"),
    "account_takeover": _("Hacked mailboxes"),
    "practice_phone_fraud": _("Phone fraud aimed at the practice"),
    "ai_tools": _("AI tools and patient data"),
    "access_management": _("Giving and removing access"),
    "disposal": _("Old systems and disposal of equipment"),
    "teleconsultation": _("Teleconsultation"),
    "patient_documents": _("Sending documents to patients"),
}
