"""The sync protocol's request and answer bodies (docs/sync.md specifies them)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from inspection import schemas as inspection
from server.costs import schemas as costs
from server.masterdata.schemas import Asset, ServiceItem, Site
from server.notifications.schemas import Notification
from server.types import Timestamp
from server.workorders.schemas import Attachment, OrderEvent, Template, WorkOrder

PROTOCOL_VERSION = 1
MAX_MUTATIONS = 500
MAX_PULL_LIMIT = 1_000

Protocol = Annotated[int, Meta(ge=1, description="the sync protocol version the client speaks")]
MutationId = Annotated[int, Meta(ge=1, le=2**53 - 1)]
Cursor = Annotated[str, Meta(max_length=500)]


class Mutation(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    id: Annotated[MutationId, Meta(description="the device's mutation counter: 1, 2, 3, ...")]
    name: Annotated[str, Meta(min_length=1, max_length=64, examples=["transition_order"])]
    args: dict[str, Any]
    device_time: Timestamp | None = None


class PushRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    protocol: Protocol
    client_id: UUID
    mutations: list[Mutation]
    resume: Annotated[
        bool,
        Meta(
            description="true only after a mutation_gap for ids this server had already "
            "answered (it lost them in a restore): continue from the first id sent"
        ),
    ] = False


Outcome = Literal["applied", "rejected", "conflict"]


class MutationResult(msgspec.Struct, kw_only=True):
    id: int
    outcome: Annotated[
        Outcome,
        Meta(
            description="applied; rejected (a rule refused it: code and message say which); "
            "conflict (applied, and the server kept a conflict record for review)"
        ),
    ]
    code: str = ""
    message: str = ""
    details: Any = None


class PushResponse(msgspec.Struct, kw_only=True):
    protocol: int
    last_mutation_id: int
    results: list[MutationResult]


class PullRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    protocol: Protocol
    client_id: UUID
    cursor: Cursor | None = None
    limit: Annotated[int, Meta(ge=1, le=MAX_PULL_LIMIT)] = 500


class Tombstone(msgspec.Struct, kw_only=True):
    order_id: UUID
    seq: int


class Deleted(msgspec.Struct, kw_only=True):
    kind: Literal["site", "asset", "service_item"]
    id: UUID


class PullResponse(msgspec.Struct, kw_only=True):
    protocol: int
    orders: Annotated[list[WorkOrder], Meta(description="whole orders, to replace local copies")]
    timeline: Annotated[list[OrderEvent], Meta(description="the whole timelines of those orders")]
    attachments: Annotated[
        list[Attachment], Meta(description="the photos and signatures of those orders")
    ]
    tombstones: Annotated[
        list[Tombstone], Meta(description="orders that left the caller's scope: drop them")
    ]
    sites: Annotated[list[Site], Meta(description="sites the caller's orders name")]
    assets: Annotated[list[Asset], Meta(description="assets the caller's orders name")]
    service_items: Annotated[list[ServiceItem], Meta(description="new or changed catalogue items")]
    templates: Annotated[list[Template], Meta(description="new or changed order templates")]
    deleted: Annotated[list[Deleted], Meta(description="master data deleted: drop it")]
    notifications: Annotated[
        list[Notification],
        Meta(description="the caller's new or changed (read) notifications of the last 30 days"),
    ] = msgspec.field(default_factory=list)
    checklists: Annotated[
        list[inspection.Checklist], Meta(description="new or changed checklists")
    ] = msgspec.field(default_factory=list)
    rounds: Annotated[
        list[inspection.Round], Meta(description="the caller's new or changed rounds")
    ] = msgspec.field(default_factory=list)
    round_runs: Annotated[
        list[inspection.RoundRun],
        Meta(description="the caller's new or changed runs of the last 7 days and to come"),
    ] = msgspec.field(default_factory=list)
    inspection_results: Annotated[
        list[inspection.InspectionResult],
        Meta(description="recent results (30 days) of the caller's rounds' assets"),
    ] = msgspec.field(default_factory=list)
    parts: Annotated[
        list[costs.Part], Meta(description="new or changed parts of the catalogue")
    ] = msgspec.field(default_factory=list)
    stock: Annotated[
        list[costs.StockLevel] | None,
        Meta(description="null: unchanged; else the whole stock of the caller's van: replace it"),
    ] = None
    cursor: Annotated[str, Meta(description="send it back to pull what follows")]
    more: Annotated[bool, Meta(description="more changes follow: pull again at once")]
    last_mutation_id: Annotated[
        int, Meta(description="the last of this device's mutations the server has applied")
    ]


class SyncInfo(msgspec.Struct, kw_only=True):
    protocol: int
    max_mutations: int
    max_body_bytes: int
    max_pull_limit: int
    mutations: list[str]


class Conflict(msgspec.Struct, kw_only=True):
    id: UUID
    order_id: UUID
    kind: Literal["field", "transition"]
    field: str
    base_version: int | None
    kept: Any
    lost: Any
    author_id: UUID
    client_id: UUID | None
    mutation_id: int | None
    created_at: datetime
    resolved_at: datetime | None
    resolved_by_id: UUID | None
    resolution: str


class ConflictList(msgspec.Struct):
    items: list[Conflict]


class ConflictResolution(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    resolution: Annotated[str, Meta(min_length=1, max_length=2_000)]


class BlobStatus(msgspec.Struct, kw_only=True):
    sha256: str
    complete: bool
    received: Annotated[int, Meta(description="bytes the server holds: resume from here")]


class MissingBlobs(msgspec.Struct):
    items: Annotated[
        list[str], Meta(description="SHA-256 of files the caller attached but has not uploaded")
    ]
