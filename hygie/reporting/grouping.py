"""Putting reports of the same lure together, as they arrive and all at once.

A new report looks up its keys (hygie.reporting.fingerprint) among the stored ones:
one indexed query, whatever the number of reports kept. It joins the group with the
most evidence in common; text bands count only once the signatures confirm the
similarity. `groups_rebuild` regroups every report of an organisation from the
stored keys (after a change of the rules, or to undo automatic mistakes), leaving
the groups staff have shaped as they are.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max, Min

from hygie.accounts.models import Organisation
from hygie.reporting.fingerprint import SIMILAR, STRONG, Key, keys_for, signature, similarity
from hygie.reporting.models import Kind, LureGroup, LureKey, Report
from hygie.reporting.parsing import html_to_text

# A popular key (a campaign with thousands of reports) is read this far: enough to
# find the groups it belongs to.
MATCH_LIMIT = 5000
BAND_CHECKS = 100


def fingerprint(report: Report) -> tuple[list[int], list[Key]]:
    details = report.details or {}
    body = str(details.get("text", "")) or html_to_text(str(details.get("html", "")))
    sig = signature(f"{report.subject}\n{body}")
    attachments = details.get("attachments", [])
    keys = keys_for(
        sender_domain=report.original_domain,
        urls=[str(u) for u in details.get("urls", [])],
        attachment_hashes=[str(a.get("sha256", "")) for a in attachments if isinstance(a, dict)],
        sig=sig,
    )
    return sig, keys


def _store_keys(report: Report, keys: Iterable[Key]) -> None:
    LureKey.objects.bulk_create(
        LureKey(organisation_id=report.organisation_id, report=report, kind=k.kind, value=k.value)
        for k in keys
    )


def _best_group(report: Report, sig: list[int], keys: list[Key]) -> int | None:
    wanted = {(k.kind, k.value) for k in keys}
    if not wanted:
        return None
    rows = (
        LureKey.objects.filter(
            organisation_id=report.organisation_id, value__in={k.value for k in keys}
        )
        .exclude(report_id=report.pk)
        .filter(report__group__isnull=False)
        .values_list("kind", "value", "report_id", "report__group_id")[:MATCH_LIMIT]
    )
    evidence: dict[int, set[str]] = defaultdict(set)
    band_candidates: dict[int, int] = {}
    for kind, value, report_id, group_id in rows:
        if (kind, value) not in wanted:
            continue
        if kind == "band":
            band_candidates.setdefault(report_id, group_id)
        else:
            evidence[group_id].add(kind)
    checks = [r for r, g in band_candidates.items() if "text" not in evidence[g]][:BAND_CHECKS]
    for other_id, other_sig in Report.objects.filter(pk__in=checks).values_list("pk", "signature"):
        if similarity(sig, other_sig) >= SIMILAR:
            evidence[band_candidates[other_id]].add("text")
    scored = {
        group_id: (sum(2 if kind in (*STRONG, "text") else 1 for kind in kinds))
        for group_id, kinds in evidence.items()
        if kinds
    }
    if not scored:
        return None
    return max(scored, key=lambda g: (scored[g], g))


def _executemany(sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """One prepared statement for many rows: a regrouping changes thousands of rows,
    which one UPDATE each through the ORM (or a CASE per row) makes slow."""
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def _set_groups(assignments: list[tuple[int, int]]) -> None:
    """Put each report (id) in its group (id), given as (group, report) pairs."""
    _executemany("UPDATE reporting_report SET group_id = %s WHERE id = %s", assignments)


def group_refresh(group_ids: Iterable[int]) -> None:
    """Recount the groups' reports, reporters and first and last reports."""
    ids = list(set(group_ids))
    if not ids:
        return
    totals = {
        row["group_id"]: row
        for row in Report.objects.filter(group_id__in=ids)
        .values("group_id")
        .annotate(n=Count("id"), first=Min("received_at"), last=Max("received_at"))
    }
    reporters: dict[int, set[object]] = defaultdict(set)
    for group_id, person_id, email in Report.objects.filter(group_id__in=ids).values_list(
        "group_id", "person_id", "reporter_email"
    ):
        reporters[group_id].add(person_id or email.lower())
    groups = list(LureGroup.objects.filter(pk__in=ids))
    empty = [g.pk for g in groups if g.pk not in totals]
    for group in groups:
        row = totals.get(group.pk)
        if row is None:
            continue
        group.reports_count = row["n"]
        group.first_reported_at = row["first"]
        group.last_reported_at = row["last"]
        group.reporters_count = len(reporters[group.pk])
    _executemany(
        "UPDATE reporting_luregroup SET reports_count = %s, first_reported_at = %s, "
        "last_reported_at = %s, reporters_count = %s WHERE id = %s",
        [
            (
                g.reports_count,
                connection.ops.adapt_datetimefield_value(g.first_reported_at),
                connection.ops.adapt_datetimefield_value(g.last_reported_at),
                g.reporters_count,
                g.pk,
            )
            for g in groups
            if g.pk in totals
        ],
    )
    if empty:
        LureGroup.objects.filter(pk__in=empty).delete()


def report_group_assign(*, report: Report) -> LureGroup | None:
    """Give a newly received real report its group (a new one if it matches none)."""
    if report.kind != Kind.SUSPICIOUS:
        return None
    with transaction.atomic():
        sig, keys = fingerprint(report)
        report.signature = sig
        _store_keys(report, keys)
        group_id = _best_group(report, sig, keys)
        if group_id is None:
            group = LureGroup.objects.create(
                organisation_id=report.organisation_id,
                first_reported_at=report.received_at,
                last_reported_at=report.received_at,
            )
        else:
            group = LureGroup.objects.select_for_update().get(pk=group_id)
        report.group = group
        report.save(update_fields=["group", "signature"])
        group_refresh([group.pk])
        group.refresh_from_db()
    return group


class _Sets:
    """Union-find over report ids."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, item: int) -> int:
        parent = self.parent.setdefault(item, item)
        while parent != self.parent[parent]:
            self.parent[parent] = self.parent[self.parent[parent]]
            parent = self.parent[parent]
        self.parent[item] = parent
        return parent

    def union(self, first: int, second: int) -> None:
        a, b = self.find(first), self.find(second)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def groups_rebuild(*, organisation: Organisation) -> int:
    """Regroup every real report of `organisation` not in a group staff have shaped.

    Returns the number of groups afterwards. Reports without keys (received before
    grouping existed) get theirs first.
    """
    with transaction.atomic():
        reports = Report.objects.filter(organisation=organisation, kind=Kind.SUSPICIOUS)
        missing = reports.filter(keys__isnull=True, signature=[]).defer("raw")
        for report in missing.iterator(chunk_size=500):
            sig, keys = fingerprint(report)
            if sig:
                Report.objects.filter(pk=report.pk).update(signature=sig)
            _store_keys(report, keys)
        rows = list(reports.values_list("pk", "group_id", "group__pinned"))
        pinned = {pk for pk, _g, is_pinned in rows if is_pinned}
        current = {pk: group_id for pk, group_id, _p in rows}
        free = [pk for pk, _g, is_pinned in rows if not is_pinned]
        sets = _Sets()
        for pk in free:
            sets.find(pk)
        buckets: dict[tuple[str, str], list[int]] = defaultdict(list)
        for report_id, kind, value in LureKey.objects.filter(
            organisation=organisation, report_id__in=free
        ).values_list("report_id", "kind", "value"):
            buckets[(kind, value)].append(report_id)
        signatures: dict[int, list[int]] = {}
        band_buckets = []
        for (kind, _value), members in buckets.items():
            if len(members) < 2:
                continue
            if kind == "band":
                band_buckets.append(members)
                continue
            for other in members[1:]:
                sets.union(members[0], other)
        if band_buckets:
            wanted = {pk for members in band_buckets for pk in members}
            signatures = dict(reports.filter(pk__in=wanted).values_list("pk", "signature"))
            for members in band_buckets:
                head = members[0]
                for other in members[1:]:
                    if sets.find(head) != sets.find(other) and (
                        similarity(signatures.get(head, []), signatures.get(other, [])) >= SIMILAR
                    ):
                        sets.union(head, other)
        components: dict[int, list[int]] = defaultdict(list)
        for pk in free:
            components[sets.find(pk)].append(pk)
        touched: set[int] = {g for pk, g in current.items() if g is not None and pk not in pinned}
        used: set[int] = set()
        moves: dict[int, list[int]] = defaultdict(list)
        new_groups: list[tuple[list[int], LureGroup]] = []
        for members in components.values():
            # Keep the group most members already had, so that links stay valid.
            existing = Counter(
                current[pk] for pk in members if current[pk] is not None
            ).most_common()
            target = next((g for g, _n in existing if g not in used), None)
            if target is None:
                new_groups.append((members, LureGroup(organisation=organisation)))
                continue
            used.add(target)
            moves[target].extend(pk for pk in members if current[pk] != target)
        created = LureGroup.objects.bulk_create([group for _m, group in new_groups])
        for (members, _g), group in zip(new_groups, created, strict=True):
            moves[group.pk].extend(members)
        _set_groups([(group_id, pk) for group_id, members in moves.items() for pk in members])
        group_refresh(touched | set(moves))
        # Automatic groups left with no report (their reports moved) disappear.
        LureGroup.objects.filter(
            organisation=organisation, pinned=False, reports__isnull=True
        ).delete()
        return LureGroup.objects.filter(organisation=organisation).count()
