"""How `pytest -n` hands tests to its workers (a pytest plugin, loaded by hygie/conftest.py).

pytest-xdist's default hands each worker a quarter of the suite at once: with the slow
tests first (hygie/testing/selection.py), the first worker got every slow test and the
second sat idle at the end. Here each test is a unit of its own, handed out one at a
time as a worker runs short, slowest first, except for the tests that share something
costly, which go to one worker together (`selection.shared_unit`): the journeys share
one Chromium, a module's tests share the organisation or the server its fixture builds.
"""

from __future__ import annotations

from typing import Any

import pytest
from xdist.scheduler import LoadScopeScheduling

from hygie.testing import selection


class SharedUnitScheduling(LoadScopeScheduling):
    """xdist's scope scheduling, with `selection.shared_unit` for scopes."""

    def __init__(self, config: pytest.Config, log: Any = None) -> None:
        super().__init__(config, log)
        self._positions: dict[Any, dict[str, int]] = {}

    def _split_scope(self, nodeid: str) -> str:
        return selection.shared_unit(nodeid) or nodeid

    def _assign_work_unit(self, node: Any) -> None:
        # The parent looks each test up in a list (quadratic over a run of one-test units).
        scope, work_unit = self.workqueue.popitem(last=False)
        self.assigned_work.setdefault(node, {})[scope] = work_unit
        positions = self._positions.get(node)
        if positions is None:
            collection = self.registered_collections[node]
            positions = self._positions[node] = {nodeid: i for i, nodeid in enumerate(collection)}
        node.send_runtest_some(
            [positions[nodeid] for nodeid, completed in work_unit.items() if not completed]
        )

    def mark_test_complete(self, node: Any, item_index: int, duration: float = 0) -> None:
        # A finished unit is forgotten: the parent counts what is left over every unit a
        # worker ever had, at each test.
        nodeid = self.registered_collections[node][item_index]
        scope = self._split_scope(nodeid)
        work = self.assigned_work[node]
        work[scope][nodeid] = True
        if all(work[scope].values()):
            del work[scope]
        self._reschedule(node)


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> SharedUnitScheduling | None:
    if config.getvalue("dist") != "load":
        return None
    # Units in the order of the collection (slowest first), not by their number of tests.
    config.option.loadscopereorder = False
    return SharedUnitScheduling(config, log)
