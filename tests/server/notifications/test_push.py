"""Web Push end to end: a P1 assignment reaches both of the technician's devices,
signed with the server's VAPID key and encrypted for each device; gone devices are
dropped, busy push services retried, preferences honoured."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx
import msgspec
from litestar import Litestar

from server.database import json_column
from server.notifications.endpoints import endpoint_allowed
from server.notifications.outbox import Outbox
from server.notifications.tables import Notification, PushDelivery, PushSubscription
from server.settings import Settings
from tests.clock import FakeClock
from tests.probes import assert_error
from tests.server.notifications.assigning import assign
from tests.server.notifications.push_service import Device, push_service
from tests.world import World


async def subscribe(client: httpx.AsyncClient, world: World, body: dict[str, Any]) -> None:
    answer = await client.post(
        "/api/push/subscriptions", json=body, headers=await world.headers("north_tech")
    )
    assert answer.status_code == 201, answer.text


async def delivery(client: httpx.AsyncClient, world: World, order_id: UUID) -> dict[str, Any]:
    notice = (
        await Notification.select(Notification.id).where(Notification.order == order_id).first()
    )
    assert notice is not None
    answer = await client.get(
        f"/api/notifications/{notice['id']}/delivery", headers=await world.headers("north_tech")
    )
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def test_a_p1_assignment_reaches_every_device(
    app: Litestar, client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    key = (await client.get("/api/push/key", headers=await world.headers("north_tech"))).json()[
        "public_key"
    ]
    assert len(key) == 87  # an uncompressed P-256 point, base64url
    outbox = Outbox(settings, clock, app.state.vapid)
    async with push_service() as service:
        for name in ("phone", "tablet"):
            await subscribe(client, world, service.device(name).subscription(service.base))
        order_id = await assign(client, world, priority="P1")
        assert await outbox.run_due() == 1
        assert sorted(r.device for r in service.received) == ["phone", "tablet"]
        message = service.received[0].message
        assert message["title"].endswith("已派给您")  # in the technician's language
        assert message["order_id"] == str(order_id)
        assert message["url"] == f"/#/orders/{order_id}"
        headers = service.received[0].headers
        assert (headers["urgency"], headers["topic"], headers["ttl"]) == (
            "high",
            order_id.hex,
            "86400",
        )
        log = await delivery(client, world, order_id)
        assert log["state"] == "sent"
        assert [entry["outcome"] for entry in log["log"]] == ["delivered", "delivered"]
        assert await outbox.run_due() == 0  # nothing twice


async def test_gone_devices_are_dropped_and_busy_services_retried(
    app: Litestar, client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    outbox = Outbox(settings, clock, app.state.vapid)
    async with push_service() as service:
        await subscribe(client, world, service.device("old").subscription(service.base))
        await subscribe(client, world, service.device("busy").subscription(service.base))
        service.answers = {"old": [410], "busy": [503]}
        order_id = await assign(client, world, priority="P3")
        await outbox.run_due()
        assert service.received == []
        remaining = await PushSubscription.select(PushSubscription.endpoint)
        assert [row["endpoint"].rsplit("/", 1)[1] for row in remaining] == ["busy"]
        log = await delivery(client, world, order_id)
        assert (log["state"], log["attempts"]) == ("pending", 1)
        assert [e["outcome"] for e in log["log"]] == ["gone", "retry"]
        assert await outbox.run_due() == 0  # not before the backoff
        clock.advance(seconds=31)
        assert await outbox.run_due() == 1
        assert [r.device for r in service.received] == ["busy"]
        assert service.received[0].headers["urgency"] == "normal"
        log = await delivery(client, world, order_id)
        assert (log["state"], log["attempts"]) == ("sent", 2)


async def test_preferences_mute_and_quiet_hours(
    app: Litestar, client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    outbox = Outbox(settings, clock, app.state.vapid)
    headers = await world.headers("north_tech")
    # The fake clock says 08:00 UTC: 16:00 in Shanghai, inside these quiet hours.
    quiet = {"quiet_from": "12:00", "quiet_until": "18:00", "timezone": "Asia/Shanghai"}
    answer = await client.put("/api/me/notification-preferences", json=quiet, headers=headers)
    assert answer.status_code == 200, answer.text
    async with push_service() as service:
        await subscribe(client, world, service.device("phone").subscription(service.base))
        later = await assign(client, world, priority="P3")
        urgent = await assign(client, world, priority="P1")
        await outbox.run_due()
        assert [r.message["order_id"] for r in service.received] == [str(urgent)]
        assert (await delivery(client, world, later))["state"] == "pending"
        clock.advance(hours=2, minutes=1)  # 18:01 there
        await outbox.run_due()
        assert [r.message["order_id"] for r in service.received] == [str(urgent), str(later)]
        muted = {"muted": ["assigned"]}
        await client.put("/api/me/notification-preferences", json=muted, headers=headers)
        silent = await assign(client, world, priority="P1")
        await outbox.run_due()
        assert len(service.received) == 2
        assert (await delivery(client, world, silent))["state"] == "skipped"
    bad = await client.put(
        "/api/me/notification-preferences", json={"quiet_from": "22:00"}, headers=headers
    )
    assert_error(bad, 422, "invalid_quiet_hours")
    # Accepted before, "22:00\n" could not be read back as a time at delivery.
    newline = {"quiet_from": "22:00\n", "quiet_until": "06:00", "timezone": "Asia/Shanghai"}
    bad = await client.put("/api/me/notification-preferences", json=newline, headers=headers)
    assert_error(bad, 400, "validation_error")
    kept = await client.get("/api/me/notification-preferences", headers=headers)
    assert kept.json()["muted"] == ["assigned"]
    odd = await client.post(
        "/api/push/subscriptions", json={"endpoint": "ftp://x", "keys": {}}, headers=headers
    )
    assert_error(odd, 400, "validation_error")


def test_only_accepted_push_services_are_called() -> None:
    accepted = "https://fcm.googleapis.com,https://*.push.apple.com,http://127.0.0.1:*"
    assert endpoint_allowed(accepted, "https://fcm.googleapis.com/fcm/send/abc")
    assert endpoint_allowed(accepted, "https://fcm.googleapis.com:443/fcm/send/abc")
    assert endpoint_allowed(accepted, "https://web.push.apple.com/QGx")
    assert endpoint_allowed(accepted, "http://127.0.0.1:8123/push/x")
    for endpoint in (
        "http://fcm.googleapis.com/fcm/send/abc",  # not https
        "https://fcm.googleapis.com:8443/x",
        "https://push.apple.com.evil.example/x",
        "https://user@fcm.googleapis.com/x",
        "https://10.0.0.5/x",
        "http://127.0.0.1/x",
        "http://127.0.0.1:99999/x",
        "not a url",
    ):
        assert not endpoint_allowed(accepted, endpoint), endpoint


async def test_a_subscription_cannot_aim_the_server_at_its_own_network(
    app: Litestar, client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    device = {
        "endpoint": "http://10.0.0.5:6379/push/x",
        "keys": Device("x").subscription("")["keys"],
    }
    answer = await client.post(
        "/api/push/subscriptions", json=device, headers=await world.headers("north_tech")
    )
    assert_error(answer, 422, "endpoint_not_allowed")
    assert await PushSubscription.count() == 0
    # One subscribed while the accepted services were wider is not called either.
    async with push_service() as service:
        await subscribe(client, world, service.device("phone").subscription(service.base))
        narrowed = msgspec.structs.replace(settings, push_endpoints="https://fcm.googleapis.com")
        await assign(client, world, priority="P1")
        assert await Outbox(narrowed, clock, app.state.vapid).run_due() == 1
        assert service.received == []
    [log] = await Notification.select(Notification.id).where(Notification.kind == "assigned")
    row = await PushDelivery.select().where(PushDelivery.notification == log["id"]).first()
    assert row is not None
    assert row["state"] == "failed"
    assert "not an accepted push service" in json_column(row["log"])[0]["error"]
