from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, Response, get, put
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.openapi import ResponseSpec
from litestar.params import FromPath

from server.dependencies import ActorDep, ClockDep, SettingsDep
from server.errors import TooLarge
from server.openapi import SECURITY, errors
from sync import schemas
from sync.blobs import BlobService

# A file never changes under its hash: caches may keep it for good.
IMMUTABLE = "private, max-age=31536000, immutable"


def provide_blob_service(
    actor: ActorDep, clock: ClockDep, settings: SettingsDep, state: State
) -> BlobService:
    return BlobService(actor, clock, state.blob_store, settings.max_blob_bytes)


BlobServiceDep = NamedDependency[BlobService]
Sha256 = FromPath[str]


async def _body(request: Request[Any, Any, Any], limit: int) -> bytes:
    """The request body, refused once it passes ``limit`` (the app-wide body limit
    is lifted for uploads, whose own limit is the file size)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise TooLarge(
            f"files may be at most {limit} bytes", {"max_blob_bytes": limit}, code="blob_too_large"
        )
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(
                f"files may be at most {limit} bytes",
                {"max_blob_bytes": limit},
                code="blob_too_large",
            )
        chunks.append(chunk)
    return b"".join(chunks)


class BlobController(Controller):
    path = "/api/blobs"
    tags = ["blobs"]
    security = SECURITY
    dependencies = {"blobs": Provide(provide_blob_service, sync_to_thread=False)}

    @put(
        "/{sha256:str}",
        operation_id="UploadBlob",
        request_max_body_size=None,
        opt={"binary_body": True},
        responses={
            200: ResponseSpec(schemas.BlobStatus, description="The file was already here"),
            201: ResponseSpec(schemas.BlobStatus, description="The file is complete"),
            202: ResponseSpec(schemas.BlobStatus, description="Chunk stored; send the next"),
            **errors(400, 401, 409, 413, 415, 422),
        },
    )
    async def upload(
        self,
        sha256: Sha256,
        request: Request[Any, Any, Any],
        blobs: BlobServiceDep,
    ) -> Response[schemas.BlobStatus]:
        """Upload a JPEG, PNG or WebP file under its SHA-256, whole or in chunks
        (``Content-Range: bytes start-end/total``, in order). Repeating an upload is
        harmless."""
        blobs.check_name(sha256)
        body = await _body(request, blobs.max_bytes)
        status, answer = await blobs.upload(sha256, body, request.headers.get("content-range"))
        return Response(answer, status_code=status)

    @get("/{sha256:str}/upload", operation_id="BlobUploadStatus", responses=errors(400, 401, 422))
    async def upload_status(self, sha256: Sha256, blobs: BlobServiceDep) -> schemas.BlobStatus:
        """How much of an upload the server holds, to resume it."""
        return await blobs.status(sha256)

    @get(
        "/{sha256:str}",
        operation_id="GetBlob",
        media_type=MediaType.TEXT,
        responses={
            200: ResponseSpec(None, description="The file", media_type="image/*"),
            **errors(400, 401, 404, 422),
        },
    )
    async def read(
        self, sha256: Sha256, request: Request[Any, Any, Any], blobs: BlobServiceDep
    ) -> Response[bytes]:
        """The file, for its uploader and for those who can see an order it is on."""
        data, content_type = await blobs.read(sha256)
        headers = {"Cache-Control": IMMUTABLE, "ETag": f'"{sha256}"'}
        if request.headers.get("if-none-match") == f'"{sha256}"':
            return Response(b"", status_code=304, headers=headers)
        return Response(data, media_type=content_type, headers=headers)

    @get("/missing", operation_id="MissingBlobs", responses=errors(401))
    async def missing(self, blobs: BlobServiceDep) -> schemas.MissingBlobs:
        """Files the caller attached to orders that have not been uploaded yet."""
        return schemas.MissingBlobs(items=await blobs.missing())
