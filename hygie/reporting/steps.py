"""The report mailbox's entries in the worker and scheduler registries.

Kept free of heavy imports: they load at the first call, not when a process starts,
so that starting a worker stays quick (and its SIGTERM handler is in place early).
"""

from __future__ import annotations


def poll_report_mailboxes(worker_id: str) -> int:
    from hygie.reporting.polling import poll_due

    return poll_due(worker_id)


def purge_old_reports() -> int:
    from hygie.reporting.retention import purge_expired_reports

    return purge_expired_reports()
