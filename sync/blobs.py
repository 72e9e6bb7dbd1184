"""Content-addressed uploads of photos and signatures.

``PUT /api/blobs/{sha256}`` is idempotent: the hash names the content, so a
repeated or retried upload changes nothing. Large files go in chunks with
``Content-Range: bytes start-end/total``; an interrupted upload resumes from
``GET /api/blobs/{sha256}/upload``. The finished file must hash to its name and be
a JPEG, PNG or WebP image (read by Pillow, not trusted from a header).
"""

from __future__ import annotations

import asyncio
import io
import re
import warnings
from dataclasses import dataclass

import PIL.Image

from server.accounts.actor import Actor
from server.clock import Clock
from server.costs.expenses import receipt_in_scope
from server.database import fetch, write_transaction
from server.errors import Conflict, DomainError, Invalid, NotFound, TooLarge
from server.workorders.changes import next_sync_seq
from server.workorders.scope import in_scope
from server.workorders.tables import OrderAttachment, WorkOrder
from sync import schemas
from sync.blob_store import BlobStore, OffsetMismatch
from sync.tables import Blob

SHA256 = re.compile(r"[0-9a-f]{64}")
CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class UnsupportedType(DomainError):
    status = 415
    code = "unsupported_type"


@dataclass(frozen=True)
class Chunk:
    start: int
    total: int
    data: bytes


def parse_chunk(header: str | None, body: bytes) -> Chunk:
    if header is None:
        return Chunk(0, len(body), body)
    match = CONTENT_RANGE.match(header.strip())
    if match is None:
        raise Invalid(
            "Content-Range must read 'bytes start-end/total'", code="invalid_content_range"
        )
    start, end, total = (int(part) for part in match.groups())
    if end < start or end >= total or end - start + 1 != len(body):
        raise Invalid(
            "Content-Range does not match the body",
            {"start": start, "end": end, "total": total, "body_bytes": len(body)},
            code="invalid_content_range",
        )
    return Chunk(start, total, body)


def image_type(data: bytes) -> str:
    try:
        with warnings.catch_warnings():
            # A small file claiming a huge picture is refused, not decoded.
            warnings.simplefilter("error", PIL.Image.DecompressionBombWarning)
            with PIL.Image.open(io.BytesIO(data)) as image:
                kind = image.format
                image.verify()
    except (
        PIL.Image.UnidentifiedImageError,
        PIL.Image.DecompressionBombError,
        PIL.Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ):
        kind = None
    if kind not in IMAGE_TYPES:
        raise UnsupportedType("only JPEG, PNG and WebP images are accepted")
    return IMAGE_TYPES[kind]


class BlobService:
    def __init__(self, actor: Actor, clock: Clock, store: BlobStore, max_bytes: int) -> None:
        self.actor = actor
        self.clock = clock
        self.store = store
        self.max_bytes = max_bytes

    @staticmethod
    def check_name(sha256: str) -> None:
        if not SHA256.fullmatch(sha256):
            raise Invalid("name a blob by its SHA-256 in lowercase hex", code="invalid_sha256")

    async def status(self, sha256: str) -> schemas.BlobStatus:
        self.check_name(sha256)
        row = await Blob.select(Blob.size).where(Blob.sha256 == sha256).first()
        if row is not None:
            return schemas.BlobStatus(sha256=sha256, complete=True, received=row["size"])
        received = await asyncio.to_thread(self.store.received, sha256)
        return schemas.BlobStatus(sha256=sha256, complete=False, received=received)

    async def upload(
        self, sha256: str, body: bytes, content_range: str | None
    ) -> tuple[int, schemas.BlobStatus]:
        """The HTTP status (201 finished now, 200 already there, 202 more to come)
        and where the upload stands."""
        self.check_name(sha256)
        chunk = parse_chunk(content_range, body)
        if chunk.total > self.max_bytes:
            raise TooLarge(
                f"files may be at most {self.max_bytes} bytes",
                {"max_blob_bytes": self.max_bytes, "total": chunk.total},
                code="blob_too_large",
            )
        if await Blob.exists().where(Blob.sha256 == sha256):
            return 200, schemas.BlobStatus(sha256=sha256, complete=True, received=chunk.total)
        if content_range is None:
            await asyncio.to_thread(self.store.discard, sha256)
        try:
            received = await asyncio.to_thread(self.store.append, sha256, chunk.start, chunk.data)
        except OffsetMismatch as exc:
            raise Conflict(
                f"the upload stands at byte {exc.received}: send from there",
                {"received": exc.received},
                code="upload_offset",
            ) from None
        if received < chunk.total:
            return 202, schemas.BlobStatus(sha256=sha256, complete=False, received=received)
        return 201, await self._finish(sha256, received)

    async def _finish(self, sha256: str, size: int) -> schemas.BlobStatus:
        actual, data = await asyncio.to_thread(self.store.finish, sha256)
        if actual != sha256:
            await asyncio.to_thread(self.store.discard, sha256)
            raise Invalid(
                "the file's SHA-256 differs from its name; it was discarded",
                {"sha256": actual},
                code="hash_mismatch",
            )
        try:
            content_type = await asyncio.to_thread(image_type, data)
        except UnsupportedType:
            await asyncio.to_thread(self.store.discard, sha256)
            raise
        await asyncio.to_thread(self.store.commit, sha256)
        async with write_transaction(Blob._meta.db):
            await Blob.insert(
                Blob(
                    sha256=sha256,
                    size=size,
                    content_type=content_type,
                    uploaded_by=self.actor.user_id,
                    uploaded_at=self.clock(),
                )
            ).on_conflict(action="DO NOTHING")
            # Devices holding orders that name the file learn it has arrived.
            await WorkOrder.update({WorkOrder.sync_seq: await next_sync_seq()}).where(
                WorkOrder.id.is_in(
                    OrderAttachment.select(OrderAttachment.order).where(
                        OrderAttachment.sha256 == sha256
                    )
                )
            )
        return schemas.BlobStatus(sha256=sha256, complete=True, received=size)

    async def read(self, sha256: str) -> tuple[bytes, str]:
        """The file and its type, for its uploader or anyone who can see an order
        that it is attached to (or, staff, whose expense it is the receipt of)."""
        self.check_name(sha256)
        row = (
            await Blob.select(Blob.content_type, Blob.uploaded_by)
            .where(Blob.sha256 == sha256)
            .first()
        )
        if row is None or not (
            row["uploaded_by"] == self.actor.user_id
            or await self._attached_in_scope(sha256)
            or await receipt_in_scope(self.actor, sha256)
        ):
            raise NotFound("no such file", {"sha256": sha256})
        return await asyncio.to_thread(self.store.read, sha256), row["content_type"]

    async def _attached_in_scope(self, sha256: str) -> bool:
        """Attached, by the user who uploaded it, to an order the caller sees. Anyone
        may attach a hash; only the uploader's own attachments share the file, so
        knowing a hash is not enough to read it."""
        scope = in_scope(self.actor, "w")
        condition = f" AND ({scope.text})" if scope.text else ""
        rows = await fetch(
            Blob._meta.db,
            'SELECT 1 AS found FROM order_attachment a JOIN work_order w ON w.id = a."order" '
            "JOIN blob b ON b.sha256 = a.sha256 AND b.uploaded_by = a.created_by "
            f"WHERE a.sha256 = {{}}{condition} LIMIT 1",
            [sha256, *scope.args],
        )
        return bool(rows)

    async def missing(self) -> list[str]:
        """Files the caller attached that have not arrived."""
        rows = await fetch(
            Blob._meta.db,
            "SELECT DISTINCT a.sha256 FROM order_attachment a WHERE a.created_by = {} "
            "AND NOT EXISTS (SELECT 1 FROM blob b WHERE b.sha256 = a.sha256) ORDER BY a.sha256",
            [self.actor.user_id],
        )
        return [row["sha256"] for row in rows]
