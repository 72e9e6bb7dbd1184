"""The SMS gateway's webhook: texts received from phones."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.datastructures import State

from server.dependencies import ClockDep
from server.notifications import schemas
from server.notifications.sms_inbox import SmsInbox
from server.openapi import SIGNED, errors


class SmsController(Controller):
    path = "/api/sms"
    tags = ["notifications"]
    security = SIGNED

    @post(
        "/inbound",
        operation_id="ReceiveSms",
        status_code=200,
        responses=errors(400, 401, 404, 413),
    )
    async def inbound(
        self, request: Request[Any, Any, Any], state: State, clock: ClockDep
    ) -> schemas.InboundSmsResult:
        """A text received by the SMS gateway, in the gateway's format (built-in
        gateways: JSON ``{"message_id", "from", "text"}``, signed). Replies to
        assignment texts move orders; the answer says what was done and what was
        texted back. The same message id again changes nothing."""
        text = state.sms_gateway.inbound(await request.body(), request.headers)
        result = await SmsInbox(state.settings, clock).receive(text)
        return schemas.InboundSmsResult(
            outcome=result.outcome,
            reply=result.reply,
            order_id=result.order,
            duplicate=result.duplicate,
        )


CONTROLLERS = [SmsController]
