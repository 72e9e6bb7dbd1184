"""Checking an order's custom field values against its template's field definitions."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from server.errors import Invalid
from server.workorders.schemas import TemplateField

BLOB_HASH = re.compile(r"^[0-9a-f]{64}$")


def _problem(field: TemplateField, value: Any) -> str | None:
    kind = field.type
    if kind == "text":
        if not isinstance(value, str):
            return "must be text"
        if field.max_length is not None and len(value) > field.max_length:
            return f"must be at most {field.max_length} characters"
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "must be a number"
        if field.min is not None and value < field.min:
            return f"must be at least {field.min:g}"
        if field.max is not None and value > field.max:
            return f"must be at most {field.max:g}"
    elif kind == "choice":
        if value not in (field.options or []):
            return f"must be one of {field.options}"
    elif kind == "date":
        try:
            date.fromisoformat(value)
        except (TypeError, ValueError):
            return "must be a date (YYYY-MM-DD)"
    elif kind == "boolean":
        if not isinstance(value, bool):
            return "must be true or false"
    elif kind in ("photo", "signature") and not (isinstance(value, str) and BLOB_HASH.match(value)):
        return "must be the SHA-256 (64 hex digits) of an uploaded file"
    return None


def validate(fields: list[TemplateField], values: dict[str, Any]) -> dict[str, Any]:
    """Return the values if they satisfy the template; Invalid listing every problem."""
    known = {f.name: f for f in fields}
    problems = {name: "is not a field of this template" for name in values if name not in known}
    for field in fields:
        value = values.get(field.name)
        if value is None:
            if field.required:
                problems[field.name] = "is required"
            continue
        if (problem := _problem(field, value)) is not None:
            problems[field.name] = problem
    if problems:
        raise Invalid("custom fields do not match the template", problems, code="invalid_fields")
    return {name: value for name, value in values.items() if value is not None}


def check_definitions(fields: list[TemplateField]) -> None:
    """A template must itself make sense before orders are checked against it."""
    problems: dict[str, str] = {}
    names = [f.name for f in fields]
    for name in {n for n in names if names.count(n) > 1}:
        problems[name] = "is defined twice"
    for field in fields:
        if field.type == "choice" and not field.options:
            problems[field.name] = "a choice field needs options"
        if field.min is not None and field.max is not None and field.min > field.max:
            problems[field.name] = "min is greater than max"
    if problems:
        raise Invalid("the template's fields are not valid", problems, code="invalid_template")
