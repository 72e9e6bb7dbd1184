"""E-mail through SMTP (aiosmtplib): a text and an HTML part, in the reader's language.

The words come from templates in templates/mail/: ``<kind>.txt`` and ``<kind>.html``
when a kind has its own (the summary reports), ``notification.*`` otherwise. HTML
templates escape what they are given.
"""

from __future__ import annotations

import email.utils
from email.message import EmailMessage
from functools import cached_property
from typing import Any

import aiosmtplib
from jinja2 import Environment, PackageLoader, StrictUndefined, TemplateNotFound

from server.notifications.sending import Outgoing, Result
from server.settings import Settings

SEND_TIMEOUT = 20  # seconds per message
LABELS = {
    "en": {"open": "Open in FieldOps", "footer": "You chose to get these by e-mail."},
    "zh-CN": {"open": "在 FieldOps 中查看", "footer": "您选择了通过邮件接收此类通知。"},
}


class MailSender:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def templates(self) -> Environment:
        return Environment(
            loader=PackageLoader("server.notifications", "templates/mail"),
            autoescape=lambda name: bool(name and name.endswith(".html")),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )

    async def send(self, message: Outgoing) -> Result:
        settings = self.settings
        if not settings.smtp_host:
            return Result("skipped", error="no SMTP server is set (FIELDOPS_SMTP_HOST)")
        mail = self.compose(message)
        try:
            await aiosmtplib.send(
                mail,
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_username or None,
                password=settings.smtp_password or None,
                use_tls=settings.smtp_security == "tls",
                start_tls=settings.smtp_security == "starttls",
                timeout=SEND_TIMEOUT,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            return Result("failed", error=str(exc)[:200])
        except aiosmtplib.SMTPResponseException as exc:
            # 4xx: the server is busy or greylisting; 5xx: it will never take this.
            return Result(
                "retry" if 400 <= exc.code < 500 else "failed",
                error=f"{exc.code} {exc.message}"[:200],
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            return Result("retry", error=f"{type(exc).__name__}: {exc}"[:200])
        return Result("delivered", provider_id=mail["Message-ID"])

    def compose(self, message: Outgoing) -> EmailMessage:
        context: dict[str, Any] = {
            "message": message,
            "params": message.params,
            "labels": LABELS.get(message.language, LABELS["en"]),
            "language": message.language,
            "base_url": self.settings.base_url,
        }
        mail = EmailMessage()
        # A header may not break lines; names in titles may hold newlines.
        mail["Subject"] = " ".join(message.title.split())
        mail["From"] = self.settings.mail_from
        mail["To"] = message.target
        mail["Date"] = email.utils.formatdate(localtime=False)
        # The message's own id: a retry after a lost answer is recognisably the same mail.
        mail["Message-ID"] = f"<{message.id}@fieldops>"
        mail.set_content(self._render(message.kind, "txt", context))
        mail.add_alternative(self._render(message.kind, "html", context), subtype="html")
        return mail

    def _render(self, kind: str, suffix: str, context: dict[str, Any]) -> str:
        try:
            template = self.templates.get_template(f"{kind}.{suffix}")
        except TemplateNotFound:
            template = self.templates.get_template(f"notification.{suffix}")
        return template.render(context)
