"""The API's reference for the console, read from the generated OpenAPI schema."""

from __future__ import annotations

import functools
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _noop

# The operations' summaries, for the catalogue: the schema keeps them in English (tools read
# it), the console's reference page shows them in the reader's language.
SUMMARIES = (
    _noop("List people"),
    _noop("Create or update one person (matched by email, then RPPS number)"),
    _noop("Create or update up to 10,000 people in one call, with per-row errors"),
    _noop("One person"),
    _noop("Change some values of one person"),
    _noop("Erase one person (as in the console: identity removed, address suppressed)"),
    _noop("List segments"),
    _noop("List phishing simulations"),
    _noop("Get a phishing simulation"),
    _noop("Aggregate results of a phishing simulation"),
    _noop("Named results of a phishing simulation (audited)"),
    _noop("What launching a phishing simulation now would do"),
    _noop("Launch a phishing simulation"),
    _noop("List awareness campaigns"),
    _noop("Get an awareness campaign"),
    _noop("What launching an awareness campaign now would do"),
    _noop("Launch an awareness campaign"),
    _noop("The year's figures"),
    _noop("List reported messages"),
    _noop("Get a reported message"),
    _noop("List incident reports"),
    _noop("Get an incident report and its status"),
    _noop("Change the status of an incident report"),
)


@functools.cache
def _schema() -> dict[str, Any]:
    """The generated schema, built once per process: the API is fixed at start-up, and
    building it takes longer than the rest of the page. Only read, never changed."""
    from hygie.api.v1 import api

    return dict(api.get_openapi_schema())


def operations() -> list[dict[str, Any]]:
    """Each operation: method, path, summary, parameters and the scopes it needs."""
    schema = _schema()
    found = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            found.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": gettext(operation.get("summary", "")),
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": p["in"],
                            "required": p.get("required", False),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "has_body": "requestBody" in operation,
                    "scope": operation.get("x-scope", ""),
                }
            )
    return found
