"""Scheduler claims, worker runs, heartbeats, health, host routing and start-up checks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hygie.lib.env import LOCAL_CACHE, REDIS_CACHE, env_cache
from hygie.operations.loop import StopFlag
from hygie.operations.management.commands.scheduler import SchedulerProcess
from hygie.operations.management.commands.worker import WorkerProcess
from hygie.operations.models import Heartbeat, PeriodicJob, ProcessKind
from hygie.operations.schedule import PERIODIC_JOBS
from hygie.operations.services import _claim_run, periodic_jobs_enqueue_due, periodic_jobs_ensure
from hygie.operations.tasks import prune_heartbeats


def test_every_periodic_job_explains_itself():
    assert PERIODIC_JOBS
    for spec in PERIODIC_JOBS:
        assert spec.why.strip(), spec.name
        assert spec.every >= timedelta(minutes=1)


def test_due_jobs_are_enqueued_once_then_wait_their_period(db):
    now = timezone.now()
    first = periodic_jobs_enqueue_due(now=now)
    assert sorted(first) == sorted(spec.name for spec in PERIODIC_JOBS)
    assert DBTaskResult.objects.count() == len(PERIODIC_JOBS)
    # A second scheduler on the same tick, or the next tick, finds nothing due.
    assert periodic_jobs_enqueue_due(now=now) == []
    assert periodic_jobs_enqueue_due(now=now + timedelta(seconds=10)) == []
    assert DBTaskResult.objects.count() == len(PERIODIC_JOBS)
    later = now + max(spec.every for spec in PERIODIC_JOBS) + timedelta(seconds=1)
    assert sorted(periodic_jobs_enqueue_due(now=later)) == sorted(first)


def test_two_schedulers_racing_on_one_job_claim_it_once(db):
    """Both read the same due row; only the first conditional update wins."""
    now = timezone.now()
    periodic_jobs_ensure(now=now - timedelta(hours=1))
    spec = PERIODIC_JOBS[0]
    stale = PeriodicJob.objects.get(name=spec.name)
    assert _claim_run(spec, now) is True
    # The loser's update still expects the old due time, so it changes nothing.
    lost = PeriodicJob.objects.filter(pk=stale.pk, next_run_at=stale.next_run_at).update(runs=99)
    assert lost == 0
    assert _claim_run(spec, now) is False
    assert PeriodicJob.objects.get(name=spec.name).runs == 1


def test_worker_runs_queued_jobs_and_beats(transactional_db):
    # The job runner recycles connections between jobs, as in production: that
    # needs real commits, not the rolled-back transaction of a plain `db` test.
    Heartbeat.objects.create(
        process_id="old",
        kind=ProcessKind.WORKER,
        hostname="h",
        pid=1,
        started_at=timezone.now() - timedelta(days=30),
        last_seen_at=timezone.now() - timedelta(days=30),
    )
    result = prune_heartbeats.enqueue()
    worker = WorkerProcess(stop=StopFlag())
    assert worker.step() is True
    result.refresh()
    assert result.status == "SUCCESSFUL"
    assert result.return_value == 1
    beat = Heartbeat.objects.get(process_id=worker.heartbeat.process_id)
    assert beat.kind == ProcessKind.WORKER
    assert beat.is_alive(interval_seconds=15)
    assert worker.step() is False  # nothing left


def test_a_stopped_worker_takes_no_new_job(transactional_db):
    stop = StopFlag()
    stop.set()
    result = prune_heartbeats.enqueue()
    WorkerProcess(stop=stop).step()
    result.refresh()
    assert result.status == "READY"


def test_scheduler_step_beats_and_enqueues(db):
    process = SchedulerProcess()
    process.step()
    beat = Heartbeat.objects.get(process_id=process.heartbeat.process_id)
    assert beat.details["ticks"] == 1
    assert DBTaskResult.objects.count() == len(PERIODIC_JOBS)


def test_operations_page_shows_processes_to_platform_staff(console, admin):
    HeartbeatProcess = SchedulerProcess()
    HeartbeatProcess.step()
    admin.is_superuser = True
    admin.save()
    page = console(admin).get(reverse("console:operations"))
    assert HeartbeatProcess.heartbeat.hostname in page.content.decode()


def test_an_organisation_administrator_sees_only_its_own_jobs(
    console, admin, organisation, other_organisation, monkeypatch
):
    from hygie.audience.models import ImportJob

    # A host name that cannot turn up by chance in a token of the page (a short one such as
    # "vm" sometimes does, in the CSRF token or the CSP nonce).
    monkeypatch.setattr("socket.gethostname", lambda: "hote-de-la-plateforme")
    process = SchedulerProcess()
    process.step()
    ImportJob.objects.create(organisation=organisation, filename="nos-adherents.csv")
    ImportJob.objects.create(organisation=other_organisation, filename="leurs-adherents.csv")
    page = console(admin).get(reverse("console:operations"))
    assert page.status_code == 200
    content = page.content.decode()
    assert process.heartbeat.hostname not in content
    assert f"pid {process.heartbeat.pid}" not in content
    assert "nos-adherents.csv" in content
    assert "leurs-adherents.csv" not in content
    assert not {"processes", "periodic_jobs", "job_counts"} & set(page.context.keys())


def test_health_endpoint(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_tracking_hosts_serve_no_console(client, db):
    # Any two-segment path there looks like a (possibly expired) tracked link.
    response = client.get(reverse("accounts:login"), HTTP_HOST="localhost")
    assert b'name="password"' not in response.content
    assert b"Hygie" not in response.content
    assert "console_session" not in response.cookies
    assert client.get("/console/", HTTP_HOST="localhost").status_code == 404
    assert client.get("/admin/", HTTP_HOST="localhost").status_code == 404
    assert client.get("/healthz", HTTP_HOST="localhost").status_code == 200
    assert client.get(reverse("accounts:login"), HTTP_HOST="127.0.0.1").status_code == 200


def test_console_pages_carry_a_strict_csp(client, db):
    response = client.get(reverse("accounts:login"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy


@pytest.mark.parametrize(
    ("overrides", "error_id"),
    [
        ({"PUBLIC_BASE_URL": "not a url"}, "hygie.E001"),
        ({"TRACKING_HOSTS": ["127.0.0.1"]}, "hygie.E002"),
        (
            {
                "MAILERS": {
                    "default": {"BACKEND": "x", "OPTIONS": {"use_tls": True, "use_ssl": True}}
                }
            },
            "hygie.E003",
        ),
    ],
)
def test_broken_configuration_fails_the_check(db, overrides, error_id):
    # `db`: like `manage.py check`, the model checks ask the database what it supports.
    with override_settings(**overrides):
        ids = {message.id for message in run_checks()}
    assert error_id in ids


def test_default_configuration_passes_the_check(db):
    assert [m for m in run_checks() if m.is_serious()] == []


def test_env_example_lists_every_variable_the_settings_read():
    import re
    from pathlib import Path

    from django.conf import settings

    source = (Path(settings.BASE_DIR) / "hygie" / "settings.py").read_text()
    read = set(re.findall(r'env_(?:str|int|bool|list|secret|cache)\(\s*"([A-Z0-9_]+)"', source))
    documented = set(
        re.findall(r"^([A-Z0-9_]+)=", (Path(settings.BASE_DIR) / ".env.example").read_text(), re.M)
    )
    assert read - documented == set()


def test_the_cache_comes_from_a_url(monkeypatch):
    monkeypatch.delenv("HYGIE_CACHE_URL", raising=False)
    assert env_cache("HYGIE_CACHE_URL") == {"BACKEND": LOCAL_CACHE}
    monkeypatch.setenv("HYGIE_CACHE_URL", "redis://127.0.0.1:6379/3")
    assert env_cache("HYGIE_CACHE_URL") == {
        "BACKEND": REDIS_CACHE,
        "LOCATION": "redis://127.0.0.1:6379/3",
        "KEY_PREFIX": "hygie",
    }
    monkeypatch.setenv("HYGIE_CACHE_URL", "memcached://127.0.0.1:11211")
    with pytest.raises(ImproperlyConfigured, match="HYGIE_CACHE_URL='memcached://"):
        env_cache("HYGIE_CACHE_URL")


def test_a_per_process_cache_is_flagged_in_production(db):
    def warnings() -> set[str]:
        return {message.id for message in run_checks() if message.id}

    with override_settings(DEBUG=False, CACHES={"default": {"BACKEND": LOCAL_CACHE}}):
        assert "hygie.W002" in warnings()
    redis = {"BACKEND": REDIS_CACHE, "LOCATION": "redis://127.0.0.1:6379/15"}
    with override_settings(DEBUG=False, CACHES={"default": redis}):
        assert "hygie.W002" not in warnings()


@pytest.mark.django_db
def test_list_schedule_names_every_job_source_and_step():
    from io import StringIO

    from django.core.management import call_command

    from hygie.operations.schedule import DUE_WORK_SOURCES, PERIODIC_JOBS, WORKER_STEPS

    out = StringIO()
    call_command("list_schedule", stdout=out)
    text = out.getvalue()
    for spec in PERIODIC_JOBS:
        assert spec.name in text
    for function in [*DUE_WORK_SOURCES, *WORKER_STEPS]:
        assert f"{function.__module__}.{function.__qualname__}" in text
    assert "hygie.delivery.sending.send_due" in text


def test_registering_twice_keeps_one_entry():
    from hygie.operations.schedule import DUE_WORK_SOURCES, register_due_work

    before = list(DUE_WORK_SOURCES)
    register_due_work(*before)
    assert before == DUE_WORK_SOURCES
