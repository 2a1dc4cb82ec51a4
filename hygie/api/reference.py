"""The API's reference for the console, read from the generated OpenAPI schema."""

from __future__ import annotations

from typing import Any


def operations() -> list[dict[str, Any]]:
    """Each operation: method, path, summary, parameters and the scopes it needs."""
    from hygie.api.v1 import api

    schema = api.get_openapi_schema()
    found = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            found.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": p["in"],
                            "required": p.get("required", False),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "has_body": "requestBody" in operation,
                }
            )
    return found
