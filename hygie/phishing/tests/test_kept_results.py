"""Results pages of large campaigns read kept figures (hygie.operations.snapshots)."""

from __future__ import annotations

from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from hygie.delivery.models import Delivery
from hygie.operations import snapshots
from hygie.operations.models import Snapshot
from hygie.operations.schedule import DUE_WORK_SOURCES
from hygie.operations.tasks import refresh_snapshot
from hygie.phishing import selectors
from hygie.phishing.tests.support import PERSON, launch_and_send


def costly(monkeypatch) -> str:
    """Make the page's kept figures look like a 2-second computation: kept, not live."""
    monkeypatch.setattr(snapshots, "LIVE_BELOW_SECONDS", 0.25)
    row = Snapshot.objects.get()
    Snapshot.objects.filter(pk=row.pk).update(seconds=2.0)
    return row.key


def test_a_large_campaigns_results_page_shows_kept_figures_with_their_time(
    simulation, smtp_server, client, admin, console, organisation, monkeypatch
):
    organisation.anonymity_threshold = 1
    organisation.save()
    launch_and_send(simulation)
    page = reverse("phishing:results", args=[simulation.pk])
    assert console(admin).get(page).context["funnel"].rates[0].count == 0
    costly(monkeypatch)  # the campaign is now "large"
    delivery = Delivery.objects.first()
    client.get(f"/{simulation.path_prefix}/{delivery.token}/", **PERSON)

    kept = console(admin).get(page)
    assert kept.context["funnel"].rates[0].count == 0  # the kept figures, not recomputed
    assert 'data-testid="figures-time"' in kept.content.decode()

    arguments = selectors.results_arguments(simulation)
    refresh_snapshot.call("simulation_results", list(arguments))
    costly(monkeypatch)
    assert console(admin).get(page).context["funnel"].rates[0].count == 1


def test_changing_the_anonymity_threshold_gives_new_figures_at_once(
    simulation, smtp_server, admin, console, organisation, monkeypatch
):
    launch_and_send(simulation)
    page = reverse("phishing:results", args=[simulation.pk])
    console(admin).get(page)
    costly(monkeypatch)
    organisation.anonymity_threshold = 1
    organisation.save()
    assert console(admin).get(page).context["figures"].live


def test_switching_group_reads_the_same_kept_figures(
    simulation, smtp_server, admin, console, monkeypatch
):
    launch_and_send(simulation)
    page = reverse("phishing:results", args=[simulation.pk])
    console(admin).get(page)
    costly(monkeypatch)
    for group in selectors.GROUPS:
        response = console(admin).get(page, {"by": group})
        assert not response.context["figures"].live
        assert response.context["breakdown"] is response.context["figures"].value.breakdowns[group]
    assert Snapshot.objects.count() == 1


def test_a_launched_simulation_gets_its_figures_prepared_by_the_scheduler(
    simulation, smtp_server, admin, console, monkeypatch, django_capture_on_commit_callbacks
):
    assert selectors.prepare_results_figures in DUE_WORK_SOURCES
    assert selectors.prepare_results_figures() == 0  # not launched yet
    launch_and_send(simulation)
    with django_capture_on_commit_callbacks(execute=True):
        assert selectors.prepare_results_figures() == 1
        assert selectors.prepare_results_figures() == 0
    job = DBTaskResult.objects.get(task_path__endswith="refresh_snapshot")
    assert job.args_kwargs["args"] == [
        "simulation_results",
        list(selectors.results_arguments(simulation)),
    ]
    refresh_snapshot.call(*job.args_kwargs["args"])
    costly(monkeypatch)
    # The first view of the page reads the figures prepared in the background.
    page = console(admin).get(reverse("phishing:results", args=[simulation.pk]))
    assert not page.context["figures"].live
    assert page.context["funnel"].sent == 3
