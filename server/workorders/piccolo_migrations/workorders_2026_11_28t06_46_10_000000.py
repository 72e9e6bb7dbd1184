"""Fill the documents of the orders and timeline events written before they stored
them, in the form server/workorders/documents.py writes since.

The statements are written out here, not built from the live code, so that this
migration does the same on every database whatever that code becomes.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-28T06:46:10:000000"
VERSION = "1.38.0"
DESCRIPTION = "fill the documents of existing orders and timeline events"

ORDER_FIELDS = (
    ("id", "id"),
    ("number", None),
    ("kind", "kind"),
    ("title", "title"),
    ("description", "description"),
    ("priority", "priority"),
    ("status", "status"),
    ("customer_id", "customer"),
    ("requester_id", "requester"),
    ("site_id", "site"),
    ("asset_id", "asset"),
    ("service_item_id", "service_item"),
    ("department_id", "department"),
    ("team_id", "team"),
    ("assignee_id", "assignee"),
    ("parent_id", "parent"),
    ("template_id", "template"),
    ("custom_fields", None),
    ("due_at", None),
    ("first_response_at", None),
    ("resolved_at", None),
    ("closed_at", None),
    ("status_reason", "status_reason"),
    ("created_by_id", "created_by"),
    ("created_at", None),
    ("updated_at", None),
    ("version", "version"),
    ("needs_review", None),
)


def _time(sqlite: bool, column: str) -> str:
    """As msgspec writes a UTC time: "2026-11-28T02:25:08.123456Z", no fraction when 0."""
    if sqlite:
        # piccolo stores aware times as str() of their UTC value.
        return f"replace(replace({column}, ' ', 'T'), '+00:00', 'Z')"
    utc = f"({column} AT TIME ZONE 'UTC')"
    return (
        f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
        f"date_part('microseconds', {utc})::bigint % 1000000 = 0 THEN 'Z' "
        f"ELSE to_char({utc}, '.US\"Z\"') END"
    )


def _object(sqlite: bool, pairs: list[tuple[str, str]]) -> str:
    function = "json_object" if sqlite else "json_build_object"
    arguments = ", ".join(f"'{key}', {value}" for key, value in pairs)
    return f"{function}({arguments})" if sqlite else f"{function}({arguments})::text"


def order_backfill_sql(sqlite: bool) -> str:
    special = {
        "number": "'WO-' || "
        + (
            "printf('%06d', w.number)"
            if sqlite
            else "CASE WHEN w.number < 1000000 THEN lpad(w.number::text, 6, '0') "
            "ELSE w.number::text END"
        ),
        "custom_fields": "json(w.custom_fields)" if sqlite else "w.custom_fields",
        "needs_review": (
            "json(CASE WHEN w.needs_review THEN 'true' ELSE 'false' END)"
            if sqlite
            else "w.needs_review"
        ),
    }
    pairs = [
        (key, f"w.{column}" if column else special.get(key) or _time(sqlite, f"w.{key}"))
        for key, column in ORDER_FIELDS
    ]
    target = "work_order AS w" if sqlite else "work_order w"
    return f"UPDATE {target} SET doc = {_object(sqlite, pairs)} WHERE w.doc = ''"


def event_backfill_sql(sqlite: bool) -> str:
    pairs = [
        ("id", "e.id"),
        ("version", "e.version"),
        ("kind", "e.kind"),
        ("actor_id", "e.actor"),
        ("actor_name", "(SELECT a.display_name FROM app_user a WHERE a.id = e.actor)"),
        ("at", _time(sqlite, "e.at")),
        ("device_time", _time(sqlite, "e.device_time")),
        ("changes", "json(e.changes)" if sqlite else "e.changes"),
        ("note", "e.note"),
        ("order_id", 'e."order"'),
    ]
    target = "timeline_event AS e" if sqlite else "timeline_event e"
    return f"UPDATE {target} SET doc = {_object(sqlite, pairs)} WHERE e.doc = ''"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="workorders", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None, "piccolo_conf defines no engine"
        sqlite = engine.engine_type == "sqlite"
        await engine.run_ddl(order_backfill_sql(sqlite))
        await engine.run_ddl(event_backfill_sql(sqlite))

    manager.add_raw(run)
    return manager
