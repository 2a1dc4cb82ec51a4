"""The shape of a service, as a test: "how do I write a service?" is answered here.

A service (a public function of an app's `services.py`) changes data. It takes
keyword-only arguments, is named `<entity>_<verb>` (`campaign_launch`, `person_erase`,
`hit_reclassify`), and learns who acts from an `Actor` (`hygie.accounts.actors`), never
from the request: a view builds the actor once with `Actor.from_request`, the API with
`Actor.api_token`, the worker with `Actor.system`; a public visitor's hit passes a
`Visit` (`hygie.lib.visits`). Reads live in `selectors.py`, pure helpers in a private
`_function` or their own module. The same "no request" rule holds for every other module
that writes the audit log outside the views.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

HYGIE = Path(__file__).resolve().parents[1]

# The verbs a service name may use. A new verb is fine: add it here, in the imperative.
VERBS = frozenset(
    {
        "accept", "add", "advance", "analyse", "announce", "answer", "assign", "cancel", "change",
        "classify", "confirm", "count", "create", "delete", "disown", "edit", "enable", "end",
        "enqueue", "ensure", "erase", "export", "finish", "launch", "mark", "merge", "pause",
        "publish", "purge", "reclassify", "record", "refresh", "remove", "rename", "replay",
        "request", "reschedule", "resume", "retry", "revoke", "rotate", "run", "save", "send",
        "set", "share", "split", "start", "submit", "unsubscribe", "update", "upload", "upsert",
        "use",
    }
)  # fmt: skip


def _functions(path: Path) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _public_services() -> Iterator[tuple[Path, ast.FunctionDef | ast.AsyncFunctionDef]]:
    for path in sorted(HYGIE.glob("*/services.py")):
        # Top level only: the methods of a helper class are not services.
        body = ast.parse(path.read_text(encoding="utf-8")).body
        functions = [n for n in body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        yield from ((path, f) for f in functions if not f.name.startswith("_"))


def _takes_a_request(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    arguments = function.args
    every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    return any(
        argument.arg == "request"
        or (argument.annotation is not None and "HttpRequest" in ast.unparse(argument.annotation))
        for argument in every
    )


def _where(path: Path, function: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    return f"{path.relative_to(HYGIE.parent)}:{function.lineno} {function.name}"


def _is_view_module(path: Path) -> bool:
    return "views" in path.stem or "views" in path.parts


def _audit_writers() -> Iterator[Path]:
    """Modules outside the views and tests that write the audit log."""
    for path in sorted(HYGIE.rglob("*.py")):
        parts = path.relative_to(HYGIE).parts
        if "tests" in parts or "migrations" in parts or _is_view_module(path):
            continue
        if "audit_record(" in path.read_text(encoding="utf-8"):
            yield path


def test_no_service_takes_the_request():
    paths = {*HYGIE.glob("*/services.py"), *_audit_writers()}
    taking = sorted(
        _where(path, function)
        for path in paths
        for function in _functions(path)
        if _takes_a_request(function)
    )
    assert taking == [], "take an Actor (or a Visit) built by the view instead"


def test_every_service_takes_keyword_only_arguments():
    positional = sorted(
        _where(path, function)
        for path, function in _public_services()
        if function.args.posonlyargs or function.args.args or function.args.vararg
    )
    assert positional == [], "write def entity_verb(*, ...)"


def _is_entity_then_verb(name: str) -> bool:
    words = name.split("_")
    return words[0] not in VERBS and any(word in VERBS for word in words[1:])


def test_every_service_is_named_entity_then_verb():
    misnamed = sorted(
        _where(path, function)
        for path, function in _public_services()
        if not _is_entity_then_verb(function.name)
    )
    assert misnamed == [], "name it <entity>_<verb>, e.g. campaign_launch (see VERBS)"


def test_the_name_rule_tells_entity_verb_from_verb_noun():
    assert _is_entity_then_verb("campaign_launch")
    assert _is_entity_then_verb("api_token_record_use")
    assert not _is_entity_then_verb("send_explanations")
    assert not _is_entity_then_verb("personal_data")


def test_the_request_rule_sees_a_request_however_it_is_declared():
    source = (
        "def a(*, request): ...\n"
        "def b(x: 'HttpRequest | None' = None): ...\n"
        "def c(*, actor: Actor): ...\n"
    )
    functions = [n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)]
    assert [_takes_a_request(f) for f in functions] == [True, True, False]
