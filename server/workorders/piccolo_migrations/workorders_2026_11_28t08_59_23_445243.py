from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete
from piccolo.columns.base import OnUpdate
from piccolo.columns.column_types import ForeignKey
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.column_types import UUID
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table


class WorkOrder(Table, tablename="work_order", schema=None):
    id = UUID(
        default=UUID4(),
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name=None,
        secret=False,
    )


ID = "2026-11-28T08:59:23:445243"
VERSION = "1.38.0"
DESCRIPTION = "planned start and end of orders, dependencies between project tasks"


def document_sql(sqlite: bool) -> str:
    """The new fields' values in documents written before them (see the 08_27_37
    migration: written out, the closing brace by its code)."""
    fields = '"planned_start_at":null,"planned_end_at":null'
    if sqlite:
        head, brace = "substr(doc, 1, length(doc) - 1)", "char(125)"
    else:
        head, brace = "left(doc, -1)", "chr(125)"
    return f"UPDATE work_order SET doc = {head} || ',{fields}' || {brace} WHERE doc <> ''"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="workorders", description=DESCRIPTION
    )

    manager.add_table(
        class_name="OrderDependency",
        tablename="order_dependency",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="OrderDependency",
        tablename="order_dependency",
        column_name="id",
        db_column_name="id",
        column_class_name="UUID",
        column_class=UUID,
        params={
            "default": UUID4(),
            "null": False,
            "primary_key": True,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="OrderDependency",
        tablename="order_dependency",
        column_name="order",
        db_column_name="order",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": WorkOrder,
            "on_delete": OnDelete.cascade,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="OrderDependency",
        tablename="order_dependency",
        column_name="depends_on",
        db_column_name="depends_on",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": WorkOrder,
            "on_delete": OnDelete.cascade,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="WorkOrder",
        tablename="work_order",
        column_name="planned_end_at",
        db_column_name="planned_end_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="WorkOrder",
        tablename="work_order",
        column_name="planned_start_at",
        db_column_name="planned_start_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    async def documents() -> None:
        engine = engine_finder()
        assert engine is not None, "piccolo_conf defines no engine"
        await engine.run_ddl(document_sql(engine.engine_type == "sqlite"))

    manager.add_raw(documents)
    return manager
