"""Creating an order once per Idempotency-Key, however often the request is repeated.

An external system that lost the answer to ``POST /api/work-orders`` sends the
request again with the same ``Idempotency-Key`` header. The first request writes the
key, a fingerprint of the request and its answer (status and body) in the same
transaction as the order; a repeat within ``WINDOW`` answers that stored answer
again (with ``Idempotent-Replayed: true``) and creates nothing. A repeat with another
body is refused (422 ``idempotency_key_reused``). Keys belong to their sender: the
API key, or the user when a person sends one.

Two copies sent at once both find no key and both start; (owner, key) is unique, so
the second one's insert fails, its transaction (order included) rolls back, and it
answers what the first stored. A request that failed stored nothing: sending it
again tries again.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import MediaType, Response
from litestar.params import HeaderParameter

from server.database import fetch
from server.errors import INTEGRITY_ERRORS, Invalid
from server.ids import new_id
from server.integrations.tables import IdempotencyKey
from server.workorders.operations import OrderOperations
from server.workorders.queries import fetch_order
from server.workorders.schemas import WorkOrderCreate
from server.workorders.services import WorkOrderService
from server.workorders.unit import unit_of_work

WINDOW = timedelta(hours=24)
HEADER = "Idempotency-Key"
IdempotencyKeyHeader = Annotated[
    str | None,
    HeaderParameter(
        name=HEADER,
        min_length=1,
        max_length=255,
        description=(
            "a key of your choosing (a UUID): repeating the request with it within 24 "
            "hours answers the first answer again and creates nothing"
        ),
    ),
]
STORED_SQL = (
    'SELECT fingerprint, status, body FROM idempotency_key WHERE owner = {} AND "key" = {} '
    "AND expires_at > {}"
)


class Stored(msgspec.Struct):
    fingerprint: str
    status: int
    body: str


async def create_order_once(
    orders: WorkOrderService, key: str, data: WorkOrderCreate
) -> Response[Any]:
    """Create the order unless ``key`` was used already; the answer either way."""
    actor, clock = orders.actor, orders.clock
    owner = actor.api_key_id or actor.user_id
    fingerprint = hashlib.sha256(msgspec.json.encode(data)).hexdigest()
    stored = await _stored(owner, key, clock())
    if stored is not None:
        return _replay(stored, fingerprint)
    now = clock()
    try:
        async with unit_of_work(actor, clock) as unit:
            order_id = await OrderOperations(unit).create(data)
            await unit.flush()
            # Read in the transaction: the answer stored is the answer given.
            body = msgspec.json.encode(await fetch_order(actor, order_id, scoped=False)).decode()
            # A key kept past its day (the sweep runs hourly) gives way to the new use.
            await IdempotencyKey.delete().where(
                IdempotencyKey.owner == owner,
                IdempotencyKey.key == key,
                IdempotencyKey.expires_at <= now,
            )
            await IdempotencyKey.insert(
                IdempotencyKey(
                    id=new_id(),
                    owner=owner,
                    key=key,
                    fingerprint=fingerprint,
                    status=201,
                    body=body,
                    created_at=now,
                    expires_at=now + WINDOW,
                )
            )
    except INTEGRITY_ERRORS:
        # A copy sent at the same time stored its answer first.
        stored = await _stored(owner, key, clock())
        if stored is None:
            raise
        return _replay(stored, fingerprint)
    return Response(body.encode(), status_code=201, media_type=MediaType.JSON)


async def _stored(owner: UUID, key: str, now: datetime) -> Stored | None:
    rows = await fetch(IdempotencyKey._meta.db, STORED_SQL, [owner, key, now])
    return msgspec.convert(rows[0], Stored) if rows else None


def _replay(stored: Stored, fingerprint: str) -> Response[Any]:
    if stored.fingerprint != fingerprint:
        raise Invalid(
            "this Idempotency-Key was used with another request",
            {"header": HEADER},
            code="idempotency_key_reused",
        )
    return Response(
        stored.body.encode(),
        status_code=stored.status,
        media_type=MediaType.JSON,
        headers={"Idempotent-Replayed": "true"},
    )
