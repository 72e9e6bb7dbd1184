from __future__ import annotations

import msgspec
from litestar import Response, get
from litestar.datastructures import State

from server.database import is_sqlite


class Health(msgspec.Struct):
    status: str
    database: str
    engine: str


@get("/api/health", operation_id="Health", tags=["system"])
async def health(state: State) -> Response[Health]:
    """Liveness and database reachability; 503 when the database does not answer."""
    engine = state.engine
    name = "sqlite" if is_sqlite(engine) else "postgresql"
    try:
        await engine.run_ddl("SELECT 1")
    except Exception as exc:  # any failure of the database is the answer itself
        return Response(
            Health("unavailable", f"error: {type(exc).__name__}", name), status_code=503
        )
    return Response(Health("ok", "ok", name))
