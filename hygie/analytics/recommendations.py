"""Which capsule themes to teach next, from the data, each with its reasons.

Four signals, each scaled to about one point so that none drowns the others:
weak quiz scores on a theme, clicks in simulations on a theme, incident
situations reported that a theme addresses, and the time since the theme was last
covered. Figures about fewer than k people never appear in a reason.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hygie.accounts.models import Organisation
from hygie.incidents.models import IncidentReport
from hygie.library.themes import THEMES

from . import rollups
from .models import CampaignKind, CampaignRollup

# The theme that best prepares for each situation of the incident assistant.
OUTCOME_THEMES = {
    "ransomware": "ransomware",
    "computer_compromised": "updates",
    "phishing_no_data_given": "phishing_email",
    "credentials_phished": "passwords_mfa",
    "bank_data_compromised": "phone_sms_fraud",
    "mailbox_compromised": "passwords_mfa",
    "online_account_compromised": "passwords_mfa",
    "patient_data_exposed": "data_breach",
    "vendor_breach": "physical_suppliers",
    "misdirected_data": "secure_messaging",
    "fovi_fake_rib": "phishing_email",
    "fake_bank_advisor": "phone_sms_fraud",
    "card_fraud": "phone_sms_fraud",
    "fake_support": "phone_sms_fraud",
    "device_lost_high_risk": "mobile_devices",
    "device_lost_low_risk": "mobile_devices",
    "website_attacked": "web_browsing",
    "blackmail_mass_email": "phishing_email",
    "sextortion": "phishing_email",
}
LOOK_BACK = dt.timedelta(days=730)
GOOD_SCORE = 80.0  # an average quiz score above this is no weakness
NEVER_COVERED = 1.0


@dataclass
class Recommendation:
    theme: str
    score: float
    reasons: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(THEMES.get(self.theme, self.theme))


def recommend_themes(
    organisation: Organisation, *, today: dt.date | None = None, limit: int | None = None
) -> list[Recommendation]:
    """Themes by decreasing need, each with the reasons behind its score."""
    today = today or timezone.localdate()
    now = dt.datetime.combine(today, dt.time(12), tzinfo=rollups.PARIS)
    threshold = organisation.anonymity_threshold
    rollups.refresh(organisation, stale_too=False)
    found = list(
        CampaignRollup.objects.filter(
            organisation=organisation, started_at__gte=now - LOOK_BACK, started_at__lte=now
        )
    )
    scores: dict[str, Recommendation] = {t: Recommendation(t, 0.0) for t in THEMES}

    takers: Counter[str] = Counter()
    score_sums: defaultdict[str, float] = defaultdict(float)
    received: Counter[str] = Counter()
    clicked: Counter[str] = Counter()
    for rollup in found:
        if rollup.kind == CampaignKind.AWARENESS:
            takers[rollup.theme] += rollup.quiz_takers
            score_sums[rollup.theme] += rollup.score_sum
        elif rollup.theme:
            received[rollup.theme] += rollup.sent
            clicked[rollup.theme] += rollup.clicked
    for theme, n in takers.items():
        if theme in scores and n >= threshold:
            average = score_sums[theme] / n
            if average < GOOD_SCORE:
                scores[theme].score += (GOOD_SCORE - average) / 40
                scores[theme].reasons.append(
                    _("Average quiz score of %(score)s %% (%(n)s people).")
                    % {"score": round(average), "n": n}
                )
    for theme, n in received.items():
        if theme in scores and n >= threshold and clicked[theme]:
            rate = 100 * clicked[theme] / n
            scores[theme].score += rate / 25
            scores[theme].reasons.append(
                _("%(rate)s %% of the people who received a simulation on this theme clicked.")
                % {"rate": round(rate, 1)}
            )

    incidents: Counter[str] = Counter()
    for outcome_id in IncidentReport.objects.filter(
        organisation=organisation, created_at__gte=now - dt.timedelta(days=365)
    ).values_list("outcome_id", flat=True):
        if outcome_id in OUTCOME_THEMES:
            incidents[OUTCOME_THEMES[outcome_id]] += 1
    for theme, n in incidents.items():
        scores[theme].score += min(1.5, n / 5)
        if n >= threshold:
            reason = ngettext(
                "%(n)s incident reported in the last 12 months concerns it.",
                "%(n)s incidents reported in the last 12 months concern it.",
                n,
            ) % {"n": n}
        else:
            reason = _("Incidents reported in the last 12 months concern it.")
        scores[theme].reasons.append(reason)

    last_covered: dict[str, dt.datetime] = {}
    for theme, started in CampaignRollup.objects.filter(
        organisation=organisation, kind=CampaignKind.AWARENESS, started_at__lte=now
    ).values_list("theme", "started_at"):
        last_covered[theme] = max(started, last_covered.get(theme, started))
    for theme, recommendation in scores.items():
        if theme not in last_covered:
            recommendation.score += NEVER_COVERED
            recommendation.reasons.append(_("Never covered by a capsule."))
            continue
        months = (now - last_covered[theme]).days // 30
        if months >= 6:
            recommendation.score += min(months / 12, 1.5) * 0.8
            recommendation.reasons.append(
                ngettext("Last covered %(n)s month ago.", "Last covered %(n)s months ago.", months)
                % {"n": months}
            )
    ranked = sorted((r for r in scores.values() if r.score > 0), key=lambda r: (-r.score, r.theme))
    for recommendation in ranked:
        recommendation.score = round(recommendation.score, 2)
    return ranked[:limit] if limit else ranked


def programme_ranker(organisation: Organisation, candidates: list[str]) -> list[str]:
    """The awareness programme's automatic theme choice, ordered by the data.

    Registered in `awareness.programme.THEME_RANKERS`; awareness never imports analytics.
    Themes the data says nothing about keep the programme's own order after these.
    """
    wanted = set(candidates)
    return [r.theme for r in recommend_themes(organisation) if r.score > 0 and r.theme in wanted]
