"""Every string, list and map a client can send has a bound.

The request body types are read off the app's handlers and walked through msgspec's own
JSON schema (the constraints msgspec enforces on decode), so a field added without a
limit fails here instead of reaching the database with a megabyte in it.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar

from server.app import create_app
from server.settings import Settings

# Bounded elsewhere, each for a reason a reader can check.
CHECKED_IN_CODE = {
    # Money: a decimal string; check_amount refuses more than its digits and 2 decimals.
    "ExpenseCreate.amount",
    "PartCreate.unit_cost",
    "PartUpdate.unit_cost",
    "RateCreate.hourly_rate",
    # One answer per checklist item; inspection/checklists.py caps text answers at 2,000.
    "InspectionCreate.answers.*",
    # At most MAX_MUTATIONS, answered 413 batch_too_large before anything is applied.
    "PushRequest.mutations",
    # Decoded, before anything is applied, into the bounded type of the mutation's kind.
    "Mutation.args",
    "Mutation.args.<key>",
}
_FREE_FORMATS = {"uuid", "date-time", "date", "time", "duration"}


def _body_types(app: Litestar) -> dict[str, Any]:
    found = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            data = handler.parsed_fn_signature.parameters.get("data")
            if data is not None:
                found[f"{sorted(handler.http_methods)} {route.path}"] = data.annotation
    return found


def _unbounded(schema: dict[str, Any], components: dict[str, Any]) -> set[str]:
    """The places in ``schema`` where a client's string, list or map has no limit."""
    found: set[str] = set()

    def walk(node: dict[str, Any], where: str, seen: frozenset[str]) -> None:
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[1]
            if name not in seen:
                walk(components[name], name, seen | {name})
            return
        for branch in node.get("anyOf", []):
            walk(branch, where, seen)
        kind = node.get("type")
        if kind == "string" and not {"maxLength", "enum", "const"} & node.keys():
            if node.get("format") not in _FREE_FORMATS:
                found.add(where)
        elif kind == "array":
            if "maxItems" not in node:
                found.add(where)
            walk(node.get("items", {}), where, seen)
        elif kind == "object":
            for field, value in node.get("properties", {}).items():
                walk(value, f"{where}.{field}", seen)
            if "properties" not in node:  # a map: its size, its keys, its values
                if "maxProperties" not in node:
                    found.add(where)
                if "maxLength" not in node.get("propertyNames", {}):
                    found.add(f"{where}.<key>")
                walk(node.get("additionalProperties", {}), f"{where}.*", seen)

    walk(schema, "body", frozenset())
    return found


def test_every_string_list_and_map_in_a_request_body_is_bounded() -> None:
    app = create_app(Settings(database_url="sqlite:///unused.sqlite", secret_key="k" * 40))
    bodies = _body_types(app)
    documented = [
        operation
        for path in app.openapi_schema.to_schema()["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict) and "requestBody" in operation
    ]
    assert len(bodies) == len(documented), "a request body the walk does not see"
    unbounded: dict[str, str] = {}
    for endpoint, body in bodies.items():
        (schema,), components = msgspec.json.schema_components([body])
        for place in _unbounded(schema, components) - CHECKED_IN_CODE:
            unbounded.setdefault(place, endpoint)
    assert unbounded == {}


def test_the_walk_finds_what_is_unbounded() -> None:
    class Loose(msgspec.Struct):
        text: str
        tags: list[str]
        extra: dict[str, int]

    (schema,), components = msgspec.json.schema_components([Loose])
    assert _unbounded(schema, components) == {
        "Loose.text",
        "Loose.tags",
        "Loose.extra",
        "Loose.extra.<key>",
    }
