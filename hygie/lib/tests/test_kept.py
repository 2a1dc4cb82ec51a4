"""Values kept a few seconds, bounded in number."""

from __future__ import annotations

from hygie.lib import kept as kept_module
from hygie.lib.kept import Kept


def test_kept_for_its_seconds_then_read_again_and_bounded(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(kept_module.time, "monotonic", lambda: clock[0])
    reads: list[str] = []

    def read(key: str) -> str:
        reads.append(key)
        return key.upper()

    values: Kept[str, str] = Kept(seconds=30, most=2)
    assert values.get("a", lambda: read("a")) == "A"
    assert values.get("a", lambda: read("a")) == "A"
    assert reads == ["a"]
    clock[0] += 31  # expired
    assert values.get("a", lambda: read("a")) == "A"
    assert reads == ["a", "a"]
    values.get("b", lambda: read("b"))
    values.get("c", lambda: read("c"))  # full: everything dropped first
    values.get("a", lambda: read("a"))
    assert reads == ["a", "a", "b", "c", "a"]
    values.forget("a")
    values.get("a", lambda: read("a"))
    values.forget()
    values.get("c", lambda: read("c"))
    assert reads == ["a", "a", "b", "c", "a", "a", "c"]
