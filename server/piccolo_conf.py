"""piccolo's configuration module: the engine from FIELDOPS_DATABASE_URL and our apps.

Migrations find the engine here (``PICCOLO_CONF=server.piccolo_conf``); the
running app binds its own engine and never reads ``DB``.
"""

from piccolo.conf.apps import AppRegistry

from server.database import create_engine
from server.settings import from_env

DB = create_engine(from_env())

APP_REGISTRY = AppRegistry(
    apps=[
        "server.accounts.piccolo_app",
        "server.masterdata.piccolo_app",
        "server.workorders.piccolo_app",
        "server.scheduler.piccolo_app",
        "server.sla.piccolo_app",
        "server.notifications.piccolo_app",
        "server.plans.piccolo_app",
        "server.maintenance.piccolo_app",
        "server.knowledge.piccolo_app",
        "sync.piccolo_app",
        "geo.piccolo_app",
        "inspection.piccolo_app",
        "server.costs.piccolo_app",
        "server.integrations.piccolo_app",
    ]
)
