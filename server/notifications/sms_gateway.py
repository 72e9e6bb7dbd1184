"""SMS gateways: how texts leave, and how a received text is read off its webhook.

Built in: ``console`` (writes outgoing texts to the log: the embedded default) and
``http`` (a JSON gateway: each text is POSTed, signed, to the gateway's URL, the
shape many SMS bridges and in-house gateways take). Any provider plugs in with
``FIELDOPS_SMS_GATEWAY=module:Class``; the class is built with the settings and the
options of ``FIELDOPS_SMS_GATEWAY_OPTIONS`` as keyword arguments and answers the
``SmsGateway`` protocol. The built-in gateways take inbound texts as JSON
``{"message_id", "from", "text"}`` signed with ``FIELDOPS_SMS_WEBHOOK_SECRET`` (see
server/signatures.py).
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Mapping
from typing import Annotated, Any, Protocol

import aiohttp
import msgspec
from msgspec import Meta

from server.errors import DomainError
from server.settings import Settings, SettingsError, env_name
from server.signatures import HEADER, sign, verify

log = logging.getLogger(__name__)

SEND_TIMEOUT = 10  # seconds


class InboundText(msgspec.Struct):
    message_id: Annotated[str, Meta(max_length=200)]
    sender: Annotated[str, Meta(max_length=32)] = msgspec.field(name="from")
    text: Annotated[str, Meta(max_length=2000)] = ""


class GatewayError(Exception):
    """The gateway did not take a text (``retry``: it may later)."""

    def __init__(self, message: str, retry: bool = False) -> None:
        super().__init__(message)
        self.retry = retry


class InboundRefused(DomainError):
    """A webhook request that is not a genuine, readable text."""

    def __init__(self, message: str, status: int, code: str) -> None:
        super().__init__(message, code=code)
        self.status = status


class SmsGateway(Protocol):
    async def send(self, to: str, text: str, message_id: str) -> str:
        """Send a text; the provider's id of it. Raises GatewayError."""
        ...

    def inbound(self, body: bytes, headers: Mapping[str, str]) -> InboundText:
        """The text a webhook request carries. Raises InboundRefused."""
        ...


class SignedJsonInbound:
    """Inbound texts as signed JSON, shared by the built-in gateways."""

    def __init__(self, settings: Settings) -> None:
        self.webhook_secret = settings.sms_webhook_secret

    def inbound(self, body: bytes, headers: Mapping[str, str]) -> InboundText:
        if not self.webhook_secret:
            raise InboundRefused(
                f"inbound texts are off: set {env_name('sms_webhook_secret')}",
                404,
                "sms_inbound_disabled",
            )
        if not verify(self.webhook_secret, body, headers.get(HEADER, ""), int(time.time())):
            raise InboundRefused("the signature does not match", 401, "bad_signature")
        try:
            text = msgspec.json.decode(body, type=InboundText)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise InboundRefused(f"not an inbound text: {exc}", 400, "invalid_inbound") from None
        if not text.message_id or not text.sender:
            raise InboundRefused("message_id and from are required", 400, "invalid_inbound")
        return text


class ConsoleGateway(SignedJsonInbound):
    async def send(self, to: str, text: str, message_id: str) -> str:
        log.info("SMS to %s: %s", to, text)
        return f"console-{message_id}"


class HttpGateway(SignedJsonInbound):
    """POSTs ``{"id", "to", "text"}`` to ``url``, signed with ``secret``; the gateway
    answers 2xx with ``{"id": "<its id>"}`` (or no body: ours is kept)."""

    def __init__(self, settings: Settings, url: str, secret: str = "") -> None:
        super().__init__(settings)
        self.url = url
        self.secret = secret

    async def send(self, to: str, text: str, message_id: str) -> str:
        body = msgspec.json.encode({"id": message_id, "to": to, "text": text})
        headers = {"Content-Type": "application/json"}
        if self.secret:
            headers[HEADER] = sign(self.secret, body, int(time.time()))
        timeout = aiohttp.ClientTimeout(total=SEND_TIMEOUT)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.post(self.url, data=body, headers=headers) as answer,
            ):
                reply = await answer.read()
                status = answer.status
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise GatewayError(f"{type(exc).__name__}: {exc}", retry=True) from None
        if not 200 <= status < 300:
            raise GatewayError(f"{status} {reply[:150]!r}", retry=status == 429 or status >= 500)
        try:
            found = msgspec.json.decode(reply) if reply else {}
        except msgspec.DecodeError:
            found = {}
        return str(found.get("id") or message_id) if isinstance(found, dict) else message_id


BUILT_IN: dict[str, type[Any]] = {"console": ConsoleGateway, "http": HttpGateway}


def load_gateway(settings: Settings) -> SmsGateway:
    """The configured gateway; SettingsError when it cannot be made."""
    name = settings.sms_gateway
    try:
        options = msgspec.json.decode(settings.sms_gateway_options or "{}")
    except msgspec.DecodeError as exc:
        raise SettingsError(f"{env_name('sms_gateway_options')} is not JSON: {exc}") from None
    if not isinstance(options, dict):
        raise SettingsError(f"{env_name('sms_gateway_options')} must be a JSON object")
    cls = BUILT_IN.get(name)
    if cls is None:
        module, _, attribute = name.partition(":")
        try:
            cls = getattr(importlib.import_module(module), attribute)
        except (ImportError, AttributeError, ValueError) as exc:
            raise SettingsError(f"{env_name('sms_gateway')}={name!r}: {exc}") from None
    missing = [name for name in ("send", "inbound") if not callable(getattr(cls, name, None))]
    if missing:
        raise SettingsError(f"{env_name('sms_gateway')}={name!r} has no {', '.join(missing)}")
    try:
        gateway: SmsGateway = cls(settings, **options)
    except TypeError as exc:
        raise SettingsError(f"{env_name('sms_gateway_options')}: {exc}") from None
    return gateway
