"""Assignment e-mails through a real SMTP server on this machine: a text and an HTML
part in the reader's language, escaped, retried when the server is busy."""

from __future__ import annotations

from uuid import uuid4

import httpx
import msgspec

from server.accounts.tables import User
from server.notifications.mail import MailSender
from server.notifications.messages import MessageOutbox
from server.notifications.sending import Outgoing
from server.notifications.tables import Message
from server.settings import Settings
from tests.clock import FakeClock
from tests.server.notifications.assigning import assign
from tests.server.notifications.mailbox import Mailbox, mailbox
from tests.world import World


def outbox(settings: Settings, clock: FakeClock, box: Mailbox) -> MessageOutbox:
    settings = msgspec.structs.replace(
        settings,
        smtp_host="127.0.0.1",
        smtp_port=box.port,
        smtp_security="none",
        mail_from="FieldOps <ops@example.com>",
        public_url="https://ops.example.com",
    )
    return MessageOutbox(settings, clock, {"email": MailSender(settings)})


async def test_an_assignment_is_emailed_in_the_readers_language(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    tech = world.id("north_tech")
    await User.update({User.email: "tech@example.com", User.language: "en"}).where(User.id == tech)
    answer = await client.put(
        "/api/me/notification-preferences",
        json={"email": ["assigned"]},
        headers=await world.headers("north_tech"),
    )
    assert answer.status_code == 200, answer.text
    order_id = await assign(client, world, title="Pump <b>noisy</b> & hot")
    async with mailbox() as box:
        box.busy = 1
        sending = outbox(settings, clock, box)
        assert await sending.run_due() == 1
        assert box.mails == []
        clock.advance(minutes=1)
        assert await sending.run_due() == 1
        mail = box.parts()
    assert mail["to"] == "tech@example.com"
    assert mail["subject"].endswith("assigned to you")
    link = f"https://ops.example.com/#/orders/{order_id}"
    assert "Pump <b>noisy</b> & hot" in mail["text"]
    assert link in mail["text"]
    assert "Pump &lt;b&gt;noisy&lt;/b&gt; &amp; hot" in mail["html"]  # escaped, not markup
    assert f'href="{link}"' in mail["html"]
    row = await Message.select().where(Message.channel == "email").first()
    assert row is not None
    assert (row["state"], row["attempts"]) == ("sent", 2)
    assert row["provider_id"] == f"<{row['id']}@fieldops>"


async def test_without_an_smtp_server_mail_is_skipped_not_lost_silently(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    tech = world.id("north_tech")
    await User.update({User.email: "tech@example.com"}).where(User.id == tech)
    await client.put(
        "/api/me/notification-preferences",
        json={"email": ["assigned"]},
        headers=await world.headers("north_tech"),
    )
    await assign(client, world)
    assert await MessageOutbox(settings, clock, {"email": MailSender(settings)}).run_due() == 1
    row = await Message.select().where(Message.channel == "email").first()
    assert row is not None
    assert row["state"] == "skipped"
    assert "FIELDOPS_SMTP_HOST" in msgspec.json.decode(row["log"])[0]["error"]


def test_a_title_with_line_breaks_makes_a_one_line_subject(settings: Settings) -> None:
    message = Outgoing(
        id=uuid4(),
        channel="email",
        target="lead@example.com",
        kind="round_due",
        language="en",
        title="Round due: Roof\r\nBcc: victim@example.com",
        body="Walk it",
        link="",
    )
    mail = MailSender(settings).compose(message)
    assert mail["Subject"] == "Round due: Roof Bcc: victim@example.com"
    assert mail["Bcc"] is None
