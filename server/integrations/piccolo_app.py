from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="integrations",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(["server.integrations.tables"], exclude_imported=True),
    migration_dependencies=["server.workorders.piccolo_app"],
    commands=[],
)
