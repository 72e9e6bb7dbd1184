"""Blobs: content-addressed, verified, resumable uploads, and attachments that may
name a file before it arrives."""

from __future__ import annotations

import hashlib
import io
import itertools
from uuid import uuid4

import httpx
import PIL.Image

from sync.tables import Blob
from tests.probes import assert_error
from tests.server.workorders.orders import put_order
from tests.sync.device import Device
from tests.world import World


def image(kind: str = "PNG", size: int = 64) -> bytes:
    buffer = io.BytesIO()
    PIL.Image.new("RGB", (size, size), (200, 30, 30)).save(buffer, format=kind)
    return buffer.getvalue()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def test_an_attachment_may_arrive_before_its_file(
    client: httpx.AsyncClient, world: World
) -> None:
    order_id = await put_order(world, "in_progress", assignee="north_tech", team="north")
    photo = image("JPEG", 400)
    digest = sha(photo)
    phone = Device(client, world, "north_tech")
    phone.make("attach_file", order_id=order_id, id=uuid4(), sha256=digest, caption="meter")
    assert (await phone.push())["results"][0]["outcome"] == "applied"
    tech = await world.headers("north_tech")
    missing = await client.get("/api/blobs/missing", headers=tech)
    assert missing.json() == {"items": [digest]}
    listed = await client.get(f"/api/work-orders/{order_id}/attachments", headers=tech)
    assert [(a["sha256"], a["present"]) for a in listed.json()["items"]] == [(digest, False)]
    # Uploaded in three chunks, the second one sent twice after a lost answer.
    cuts = [0, len(photo) // 3, 2 * len(photo) // 3, len(photo)]
    statuses = []
    for index, (start, end) in enumerate(itertools.pairwise(cuts)):
        for _ in range(2 if index == 1 else 1):
            answer = await client.put(
                f"/api/blobs/{digest}",
                content=photo[start:end],
                headers={**tech, "Content-Range": f"bytes {start}-{end - 1}/{len(photo)}"},
            )
            statuses.append(answer.status_code)
            if answer.status_code == 409:
                assert answer.json()["details"] == {"received": end}
    assert statuses == [202, 202, 409, 201]
    assert (await client.get("/api/blobs/missing", headers=tech)).json() == {"items": []}
    [page] = await Device(client, world, "north_tech2").pull()
    assert [(a["sha256"], a["present"]) for a in page["attachments"]] == [(digest, True)]
    got = await client.get(f"/api/blobs/{digest}", headers=tech)
    assert got.status_code == 200
    assert got.content == photo
    assert got.headers["content-type"] == "image/jpeg"
    assert "immutable" in got.headers["cache-control"]
    cached = await client.get(
        f"/api/blobs/{digest}", headers={**tech, "If-None-Match": got.headers["etag"]}
    )
    assert cached.status_code == 304
    manager = await world.headers("north_manager")
    assert (await client.get(f"/api/blobs/{digest}", headers=manager)).status_code == 200
    outsider = await world.headers("south_tech")
    assert_error(await client.get(f"/api/blobs/{digest}", headers=outsider), 404, "not_found")
    again = await client.put(f"/api/blobs/{digest}", content=photo, headers=tech)
    assert again.status_code == 200
    assert await Blob.count() == 1


async def test_uploads_are_checked_and_refusals_keep_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    tech = await world.headers("north_tech")
    png = image()
    wrong = await client.put(f"/api/blobs/{sha(b'other')}", content=png, headers=tech)
    assert_error(wrong, 422, "hash_mismatch")
    text = b"not an image at all"
    assert_error(
        await client.put(f"/api/blobs/{sha(text)}", content=text, headers=tech),
        415,
        "unsupported_type",
    )
    assert_error(
        await client.put("/api/blobs/ABC", content=png, headers=tech), 422, "invalid_sha256"
    )
    bad_range = await client.put(
        f"/api/blobs/{sha(png)}", content=png, headers={**tech, "Content-Range": "bytes 0-3/9"}
    )
    assert_error(bad_range, 422, "invalid_content_range")
    huge = f"bytes 0-{len(png) - 1}/{10**9}"
    too_big = await client.put(
        f"/api/blobs/{sha(png)}", content=png, headers={**tech, "Content-Range": huge}
    )
    assert_error(too_big, 413, "blob_too_large")
    assert await Blob.count() == 0
    status = await client.get(f"/api/blobs/{sha(png)}/upload", headers=tech)
    assert status.json() == {"sha256": sha(png), "complete": False, "received": 0}
    whole = await client.put(f"/api/blobs/{sha(png)}", content=png, headers=tech)
    assert whole.status_code == 201, whole.text
    webp = image("WEBP")
    assert (
        await client.put(f"/api/blobs/{sha(webp)}", content=webp, headers=tech)
    ).status_code == 201


async def test_knowing_a_hash_is_not_enough_to_read_a_file(
    client: httpx.AsyncClient, world: World
) -> None:
    south_order = await put_order(
        world, "in_progress", assignee="south_tech", team="south", department="south"
    )
    photo = image()
    digest = sha(photo)
    south = await world.headers("south_tech")
    assert (
        await client.put(f"/api/blobs/{digest}", content=photo, headers=south)
    ).status_code == 201
    owner = Device(client, world, "south_tech")
    owner.make("attach_file", order_id=south_order, id=uuid4(), sha256=digest)
    await owner.push()
    # Another technician names the same hash on an order of their own.
    mine = await put_order(world, "in_progress", assignee="north_tech", team="north")
    other = Device(client, world, "north_tech")
    other.make("attach_file", order_id=mine, id=uuid4(), sha256=digest)
    await other.push()
    north = await world.headers("north_tech")
    assert_error(await client.get(f"/api/blobs/{digest}", headers=north), 404, "not_found")
    south_manager = await world.headers("south_manager")
    assert (await client.get(f"/api/blobs/{digest}", headers=south_manager)).status_code == 200


async def test_an_arriving_file_reaches_devices_that_hold_its_order(
    client: httpx.AsyncClient, world: World
) -> None:
    order_id = await put_order(world, "in_progress", assignee="north_tech", team="north")
    photo = image()
    phone = Device(client, world, "north_tech")
    phone.make("attach_file", order_id=order_id, id=uuid4(), sha256=sha(photo))
    await phone.push()
    dispatch = Device(client, world, "north_manager")
    [page] = await dispatch.pull()
    assert [a["present"] for a in page["attachments"]] == [False]
    tech = await world.headers("north_tech")
    assert (
        await client.put(f"/api/blobs/{sha(photo)}", content=photo, headers=tech)
    ).status_code == 201
    [page] = await dispatch.pull()
    assert [a["present"] for a in page["attachments"]] == [True]


async def test_a_small_file_claiming_a_huge_picture_is_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    buffer = io.BytesIO()
    PIL.Image.new("1", (20_000, 20_000)).save(buffer, format="PNG")
    bomb = buffer.getvalue()
    tech = await world.headers("north_tech")
    answer = await client.put(f"/api/blobs/{sha(bomb)}", content=bomb, headers=tech)
    assert_error(answer, 415, "unsupported_type")
    status = await client.get(f"/api/blobs/{sha(bomb)}/upload", headers=tech)
    assert status.json()["received"] == 0  # the refused upload was discarded
