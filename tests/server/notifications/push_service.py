"""A Web Push service on 127.0.0.1 for the tests: it checks each request's VAPID
signature, decrypts the aes128gcm body with the device's keys (http_ece), and answers
what the test tells it to."""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import http_ece
import jwt
import msgspec
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tests.http_stub import serving


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Device:
    """A browser's push subscription: its keys stay here, the test sends the rest."""

    name: str
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    secret: bytes = field(default_factory=lambda: os.urandom(16))

    def subscription(self, base: str) -> dict[str, Any]:
        public = self.key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return {
            "endpoint": f"{base}/push/{self.name}",
            "keys": {"p256dh": b64url(public), "auth": b64url(self.secret)},
        }


@dataclass
class Received:
    device: str
    message: dict[str, Any]
    headers: dict[str, str]


class PushServiceStub:
    def __init__(self) -> None:
        self.devices: dict[str, Device] = {}
        self.received: list[Received] = []
        # Answers a device gets, in turn, before the usual 201.
        self.answers: dict[str, list[int]] = {}
        self.base = ""

    def device(self, name: str) -> Device:
        self.devices[name] = Device(name)
        return self.devices[name]

    async def handle(self, request: web.Request) -> web.Response:
        device = self.devices[request.match_info["device"]]
        scheme, _, rest = request.headers["Authorization"].partition(" ")
        assert scheme == "vapid"
        parts = dict(part.strip().split("=", 1) for part in rest.split(","))
        signer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(parts["k"]))
        # Signed by the server's key, for this push service, not yet expired.
        claims = jwt.decode(parts["t"], signer, algorithms=["ES256"], audience=self.base)
        assert claims["sub"].startswith("mailto:")
        assert request.headers["Content-Encoding"] == "aes128gcm"
        plain = http_ece.decrypt(
            await request.read(),
            private_key=device.key,
            auth_secret=device.secret,
            version="aes128gcm",
        )
        pending = self.answers.get(device.name) or []
        status = pending.pop(0) if pending else 201
        if status == 201:
            self.received.append(
                Received(
                    device.name,
                    msgspec.json.decode(plain),
                    {k.lower(): v for k, v in request.headers.items()},
                )
            )
        return web.Response(status=status, headers={"Retry-After": "1"} if status == 503 else {})


@asynccontextmanager
async def push_service() -> AsyncIterator[PushServiceStub]:
    stub = PushServiceStub()
    app = web.Application()
    app.router.add_post("/push/{device}", stub.handle)
    async with serving(app) as base:
        stub.base = base
        yield stub
