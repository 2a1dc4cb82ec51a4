"""A scenario whose lure is a real PDF attachment (link and QR code inside): sent per
person, previewed, explained on the teachable moment, editable."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from hygie.accounts.actors import Actor
from hygie.audience.models import Person
from hygie.delivery.models import Delivery
from hygie.phishing.models import Scenario
from hygie.phishing.services import campaign_create
from hygie.phishing.tests.support import PERSON, launch_and_send, open_window

SLUG = "facture-maintenance-nouveau-rib"


def _scenario() -> Scenario:
    return Scenario.objects.get(slug=SLUG, organisation__isnull=True)


@pytest.mark.slow  # renders a PDF (see hygie/testing/selection.py)
def test_the_attachment_carries_each_persons_tracked_link(
    simulation, organisation, admin, client, smtp_server, console
):
    campaign = campaign_create(
        organisation=organisation,
        actor=Actor.staff(admin),
        name="Factures",
        scenarios=[_scenario()],
        segment=simulation.segment,
    )
    open_window(campaign.mailing)
    # Previewed before launch, on the campaign's own link.
    staff = console(admin)
    preview = staff.get(reverse("phishing:campaign_preview", args=[campaign.pk]))
    assert 'data-testid="variant-attachment"' in preview.content.decode()
    variant = campaign.mailing.variants.get()
    sample = staff.get(
        reverse("phishing:campaign_preview", args=[campaign.pk]), {"attachment": variant.pk}
    )
    sample_text = PdfReader(io.BytesIO(sample.content)).pages[0].extract_text().replace("\n", "")
    assert f"/{campaign.path_prefix}/exemple/" in sample_text
    client.logout()
    launch_and_send(campaign)
    first, second, _third = Delivery.objects.filter(mailing=campaign.mailing).order_by("pk")
    Person.objects.filter(pk=second.person_id).update(last_name="Martin-Lévêque")
    received = next(m for m in smtp_server.messages if m.recipients == [first.recipient])
    (attachment,) = list(received.message.iter_attachments())
    assert attachment.get_filename() == "facture_FA-2026-1187.pdf"
    page = PdfReader(io.BytesIO(attachment.get_content())).pages[0]
    link = f"http://localhost:8000/{campaign.path_prefix}/{first.token}/"
    assert link in page.extract_text().replace("\n", "")
    assert page.images  # the QR code

    # After a click, each person sees their own copy of the attachment, annotated.
    for n, delivery in enumerate((first, second)):
        response = client.get(
            f"/{campaign.path_prefix}/{delivery.token}/",
            **{**PERSON, "REMOTE_ADDR": f"198.51.100.{n + 1}"},
        )
        assert response.status_code == 200
    teach = client.post(
        f"/{campaign.path_prefix}/{second.token}/",
        {"identifiant": "a", "mot_de_passe": "b"},
        **{**PERSON, "REMOTE_ADDR": "198.51.100.2"},
    ).content.decode()
    assert "facture_FA-2026-1187.pdf" in teach
    assert "Martin-Lévêque" in teach and "Durand0" not in teach
    assert '<mark id="flag-3">Scannez ce code avec votre téléphone' in teach


@pytest.mark.slow  # renders a PDF (see hygie/testing/selection.py)
def test_the_attachment_is_previewed_and_downloadable(simulation, console, admin):
    staff = console(admin)
    scenario = _scenario()
    page = staff.get(reverse("phishing:scenario", args=[scenario.pk])).content.decode()
    assert 'data-testid="attachment-preview"' in page
    frame = staff.get(reverse("phishing:scenario_frame", args=[scenario.pk, "attachment"]))
    assert "data:image/png;base64," in frame.content.decode()  # the sample QR code
    assert "sandbox" in frame["Content-Security-Policy"]
    pdf = staff.get(reverse("phishing:scenario_attachment_pdf", args=[scenario.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    other = Scenario.objects.get(slug="espace-pro-sante-avis-paiement")
    assert staff.get(reverse("phishing:scenario_attachment_pdf", args=[other.pk])).status_code == (
        404
    )


def test_editing_the_attachment_is_checked_and_can_remove_it(
    simulation, console, admin, organisation
):
    staff = console(admin)
    scenario = _scenario()
    url = reverse("phishing:scenario_edit", args=[scenario.pk])
    form = staff.get(url).context["form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    assert data["attachment_name"] == "facture_FA-2026-1187.pdf"
    bad = staff.post(url, {**data, "attachment_name": "facture.exe"})
    assert "attachment_name" in bad.context["form"].errors
    assert not Scenario.objects.filter(organisation=organisation).exists()
    # Without the attachment, its red flags must go too (places are shown by their names).
    flags = "\n".join(
        line
        for line in data["red_flags"].splitlines()
        if line.split(" | ")[0] not in {"attachment", "pièce jointe"}
    )
    assert flags != data["red_flags"]
    staff.post(url, {**data, "attachment_name": "", "attachment_html": "", "red_flags": flags})
    new = Scenario.objects.get(organisation=organisation)
    assert "attachment" not in new.data


@pytest.mark.slow  # renders a PDF (see hygie/testing/selection.py)
def test_another_organisations_attachment_is_not_found(simulation, console, admin, outsider):
    from hygie.phishing.services import scenario_edit

    ours = scenario_edit(
        scenario=_scenario(),
        organisation=simulation.organisation,
        actor=Actor.staff(admin),
        data={"title": "Notre version de la facture"},
    )
    assert ours.data["attachment"]["filename"] == "facture_FA-2026-1187.pdf"
    url = reverse("phishing:scenario_attachment_pdf", args=[ours.pk])
    assert console(admin).get(url).status_code == 200
    assert console(outsider).get(url).status_code == 404
