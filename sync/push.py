"""Push: apply a device's queued mutations exactly once, in order.

The whole batch runs in one transaction with the device's last-mutation-id, so a
crash or a lost answer leaves either all of it or none; a retry then finds the ids
already applied and answers their recorded outcomes without applying them again.
The batch's mutations are decided on one unit of work and written together
(server/workorders/unit.py): one that breaks a rule leaves no trace, is recorded
as rejected with its reason, and the ones after it still apply.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any
from uuid import UUID

import msgspec

from server.accounts.actor import Actor
from server.clock import Clock
from server.database import (
    Savepoint,
    execute_many,
    fetch,
    insert_sql,
    json_column,
    write_transaction,
)
from server.errors import (
    CONSTRAINT_MESSAGE,
    INTEGRITY_ERRORS,
    VALUE_ERRORS,
    VALUE_MESSAGE,
    Conflict,
    DomainError,
    Forbidden,
    TooLarge,
)
from server.workorders.changes import next_sync_seq
from server.workorders.unit import OrderUnit
from server.workorders.urging import UrgeRules
from sync import schemas
from sync.catalogue import REGISTRY
from sync.protocol import check_protocol
from sync.registry import MutationContext, MutationType, Registry
from sync.tables import SyncClient, SyncMutation

Decoded = tuple[schemas.Mutation, MutationType, Any]
LOCK_CLIENT_SQL = (
    'INSERT INTO sync_client (id, "user", last_mutation_id, created_at, last_seen_at) '
    "VALUES ({}, {}, {}, {}, {}) ON CONFLICT (id) DO UPDATE SET last_seen_at = excluded.last_seen_at "
    'RETURNING "user", last_mutation_id'
)
ADVANCE_CLIENT_SQL = "UPDATE sync_client SET last_mutation_id = {}, last_seen_at = {} WHERE id = {}"
RECORD_SQL = insert_sql(
    SyncMutation,
    ("client", "mutation_id", "name", "outcome", "code", "message", "details", "applied_at"),
)


class PushService:
    def __init__(
        self,
        actor: Actor,
        clock: Clock,
        registry: Registry = REGISTRY,
        urging: UrgeRules | None = None,
    ) -> None:
        self.actor = actor
        self.clock = clock
        self.registry = registry
        self.urging = urging or UrgeRules()

    def _decode(self, mutations: list[schemas.Mutation]) -> list[Decoded]:
        """Check the whole batch before anything is applied: a batch the server cannot
        read changes nothing."""
        if len(mutations) > schemas.MAX_MUTATIONS:
            raise TooLarge(
                f"at most {schemas.MAX_MUTATIONS} mutations per push",
                {"max_mutations": schemas.MAX_MUTATIONS, "sent": len(mutations)},
                code="batch_too_large",
            )
        if any(b.id != a.id + 1 for a, b in pairwise(mutations)):
            raise DomainError(
                "mutation ids must go up by one within a batch",
                {"ids": [m.id for m in mutations][:50]},
                code="ids_not_consecutive",
            )
        decoded = []
        for mutation in mutations:
            mutation_type = self.registry.get(mutation.name)
            if mutation_type is None:
                raise DomainError(
                    f"unknown mutation {mutation.name!r}",
                    {"id": mutation.id, "name": mutation.name, "known": self.registry.names()},
                    code="unknown_mutation",
                )
            try:
                args = msgspec.convert(mutation.args, mutation_type.args)
            except msgspec.ValidationError as exc:
                raise DomainError(
                    f"mutation {mutation.id} ({mutation.name}): {exc}",
                    {"id": mutation.id, "name": mutation.name},
                    code="invalid_args",
                ) from None
            decoded.append((mutation, mutation_type, args))
        return decoded

    async def push(self, request: schemas.PushRequest) -> schemas.PushResponse:
        check_protocol(request.protocol)
        decoded = self._decode(request.mutations)
        first = request.mutations[0].id if request.mutations else 1
        engine = SyncClient._meta.db
        async with write_transaction(engine):
            last = await self._lock_client(request.client_id, first - 1)
            new = [item for item in decoded if item[0].id > last]
            if new and new[0][0].id != last + 1:
                if not request.resume:
                    raise Conflict(
                        f"mutation {last + 1} is missing: send from there",
                        {"last_mutation_id": last, "first_sent": new[0][0].id},
                        code="mutation_gap",
                    )
                # The device had answers for the missing ones from before the server
                # lost them: it cannot send them again, and must not be stuck.
                last = new[0][0].id - 1
            results = await self._recorded(request.client_id, [m.id for m, _, _ in decoded], last)
            if new:
                results += await self._apply(request.client_id, new)
                last = new[-1][0].id
                await self._record(request.client_id, new, results[-len(new) :])
            await execute_many(
                engine, ADVANCE_CLIENT_SQL, [(last, self.clock(), request.client_id)]
            )
        return schemas.PushResponse(
            protocol=schemas.PROTOCOL_VERSION, last_mutation_id=last, results=results
        )

    async def _apply(self, client_id: UUID, new: list[Decoded]) -> list[schemas.MutationResult]:
        """Apply the new mutations on one unit of work and write them together. A
        write the database refuses (a constraint no check foresaw) would take the
        whole batch with it: then each mutation is applied and written alone, under
        a savepoint, and only the one refused is rejected."""
        # Drawn before any savepoint: one rolled back must not take the transaction's
        # sequence value back with it while later writes still use it.
        await next_sync_seq()
        savepoint = Savepoint(SyncClient._meta.db, "batch")
        await savepoint.begin()
        try:
            unit = OrderUnit(self.actor, self.clock)
            await unit.load(i for _, kind, args in new for i in kind.orders(args))
            for kind, batch in _by_type(new).items():
                if kind.prefetch is not None:
                    await kind.prefetch(unit, batch)
            results = [await self._apply_one(client_id, unit, item) for item in new]
            await unit.flush()
        except (*INTEGRITY_ERRORS, *VALUE_ERRORS):
            await savepoint.rollback()
        else:
            await savepoint.release()
            return results
        savepoint = Savepoint(SyncClient._meta.db, "mutation")
        results = []
        for item in new:
            await savepoint.begin()
            unit = OrderUnit(self.actor, self.clock)
            try:
                result = await self._apply_one(client_id, unit, item)
                await unit.flush()
            except (*INTEGRITY_ERRORS, *VALUE_ERRORS) as exc:
                await savepoint.rollback()
                result = _rejected(item[0].id, exc)
            else:
                await savepoint.release()
            results.append(result)
        return results

    async def _apply_one(
        self, client_id: UUID, unit: OrderUnit, item: Decoded
    ) -> schemas.MutationResult:
        mutation, mutation_type, args = item
        context = MutationContext(
            actor=self.actor,
            clock=self.clock,
            unit=unit,
            client_id=client_id,
            mutation_id=mutation.id,
            device_time=mutation.device_time,
            urging=self.urging,
        )
        checkpoint = unit.checkpoint()
        try:
            outcome = await mutation_type.apply(context, args)
        except DomainError as exc:
            # A database error is not caught here: on PostgreSQL it aborts the
            # transaction, which only rolling back a savepoint (in _apply) repairs.
            unit.restore(checkpoint)
            return _rejected(mutation.id, exc)
        return schemas.MutationResult(id=mutation.id, outcome=outcome)

    async def _lock_client(self, client_id: UUID, start: int) -> int:
        """The device's last applied mutation id, its row locked to the end of the
        push. A device the server does not know (new, or forgotten) is registered to
        continue from its first id, so it never loops on a gap."""
        now = self.clock()
        # One statement registers a new device or finds a known one, and (updating it)
        # locks its row on PostgreSQL. A refusal below rolls the update back.
        rows = await fetch(
            SyncClient._meta.db,
            LOCK_CLIENT_SQL,
            [client_id, self.actor.user_id, start, now, now],
        )
        row = rows[0]
        if UUID(str(row["user"])) != self.actor.user_id:
            raise Forbidden(
                "this client id belongs to another user: make a new one after each login",
                code="client_not_yours",
            )
        return int(row["last_mutation_id"])

    async def _recorded(
        self, client_id: UUID, ids: list[int], last: int
    ) -> list[schemas.MutationResult]:
        """The recorded outcomes of the batch's mutations the server already applied."""
        if not ids or ids[0] > last:
            return []
        rows = await SyncMutation.select(
            SyncMutation.mutation_id,
            SyncMutation.outcome,
            SyncMutation.code,
            SyncMutation.message,
            SyncMutation.details,
        ).where(
            SyncMutation.client == client_id,
            SyncMutation.mutation_id >= ids[0],
            SyncMutation.mutation_id <= ids[-1],
        )
        recorded = {
            row["mutation_id"]: schemas.MutationResult(
                id=row["mutation_id"],
                outcome=row["outcome"],
                code=row["code"],
                message=row["message"],
                details=json_column(row["details"]),
            )
            for row in rows
        }
        # Ids below the one a forgotten device was registered again with have no record.
        unknown = schemas.MutationResult(
            id=0,
            outcome="applied",
            code="outcome_unknown",
            message="applied before this device was registered again; its outcome is not kept",
        )
        return [recorded.get(i) or msgspec.structs.replace(unknown, id=i) for i in ids if i <= last]

    async def _record(
        self, client_id: UUID, new: list[Decoded], results: list[schemas.MutationResult]
    ) -> None:
        now = self.clock()
        rows = [
            (
                client_id,
                mutation.id,
                mutation.name,
                result.outcome,
                result.code,
                result.message,
                msgspec.json.encode(result.details).decode(),
                now,
            )
            for (mutation, _, _), result in zip(new, results, strict=True)
        ]
        await execute_many(SyncMutation._meta.db, RECORD_SQL, rows)


def _rejected(mutation_id: int, error: Exception) -> schemas.MutationResult:
    """The answer the REST API would give, recorded as the mutation's outcome."""
    if isinstance(error, DomainError):
        code, message, details = error.code, error.message, error.details
    elif isinstance(error, INTEGRITY_ERRORS):
        code, message, details = "constraint_violation", CONSTRAINT_MESSAGE, None
    else:
        code, message, details = "invalid_value", VALUE_MESSAGE, None
    return schemas.MutationResult(
        id=mutation_id, outcome="rejected", code=code, message=message, details=details
    )


def _by_type(mutations: list[Decoded]) -> dict[MutationType, list[Any]]:
    grouped: dict[MutationType, list[Any]] = {}
    for _, kind, args in mutations:
        grouped.setdefault(kind, []).append(args)
    return grouped
