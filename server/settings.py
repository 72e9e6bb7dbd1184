"""One typed settings object, read once from ``FIELDOPS_*`` environment variables."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

PREFIX = "FIELDOPS_"
RedisUrl = Annotated[str, Meta(pattern=r"^(rediss?://.+)?$")]
DatabaseUrl = Annotated[str, Meta(pattern=r"^(sqlite:///.+|postgres(ql)?://.+)$")]
Port = Annotated[int, Meta(ge=1, le=65535)]
Positive = Annotated[int, Meta(gt=0)]
NonNegative = Annotated[int, Meta(ge=0)]
Seconds = Annotated[float, Meta(gt=0, le=3600)]
# Leaflet's tile URL template: absolute or on this server, with all three coordinates.
TileUrl = Annotated[str, Meta(pattern=r"^(?=.*\{z\})(?=.*\{x\})(?=.*\{y\})(https?://|/)")]


class SettingsError(Exception):
    """A setting has a wrong value; the message names the variable."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: DatabaseUrl = "sqlite:///var/fieldops.sqlite"
    secret_key: str = ""
    host: str = "127.0.0.1"
    port: Port = 8000
    var_dir: str = "var"
    # Redis for live map updates shared by several server processes; empty: in memory.
    redis_url: RedisUrl = ""
    # 500 phones queued for minutes on 8 PostgreSQL connections; 16 or 20 kept up
    # (docs/performance.md, Load), and 16 fits 4 server processes and a worker within
    # PostgreSQL's default max_connections (docs/deployment.md).
    db_pool_size: Positive = 16
    db_readers: Positive = 2
    access_token_minutes: Positive = 15
    refresh_token_days: Positive = 30
    # Logins: this many failures for one username (or, against password spraying,
    # from one client address) within the window lock it out for the lockout period.
    login_max_failures: Positive = 5
    login_max_failures_per_ip: Positive = 20
    login_failure_window_minutes: Positive = 15
    login_lockout_minutes: Positive = 15
    max_body_bytes: Positive = 1_048_576
    max_blob_bytes: Positive = 20_971_520
    blob_dir: str = ""
    # The job scheduler (SLA timers, deliveries) in this process; a scaled deployment
    # may leave it to `fieldops worker` processes. Running it in several is safe.
    run_scheduler: bool = True
    scheduler_poll_seconds: Seconds = 1.0
    # Stopping, `fieldops serve` lets requests in flight finish for this long, then
    # cuts what is left: live map streams never finish on their own.
    shutdown_grace_seconds: Positive = 30
    # The team told when an overdue order is suspended automatically; empty: every manager.
    control_centre_team: UUID | None = None
    # A requester may urge an order once per this many minutes.
    urge_interval_minutes: Positive = 30
    # Each this many urges raise the order's priority one level; 0: never.
    urge_raises_priority_after: NonNegative = 0
    # Web Push: the VAPID private key (PEM file; made in var/ on first start when
    # unset) and the contact push services see.
    vapid_private_key: str = ""
    vapid_subject: str = "mailto:fieldops@localhost"
    # Accepted Web Push endpoints: origin patterns (shell-style), so a subscription
    # cannot make the server call into its own network.
    push_endpoints: str = (
        "https://fcm.googleapis.com,https://*.push.services.mozilla.com,"
        "https://*.notify.windows.com,https://*.push.apple.com"
    )
    # Accepted chat robot webhooks (WeCom, DingTalk, Feishu/Lark), the same way.
    chat_robot_urls: str = (
        "https://qyapi.weixin.qq.com,https://oapi.dingtalk.com,"
        "https://open.feishu.cn,https://open.larksuite.com"
    )
    # Accepted outbound webhook targets (server/integrations/), the same way; none
    # until set, so that no webhook can reach into the server's own network.
    webhook_urls: str = ""
    # Where people open the product: links in texts, e-mails and chat posts.
    public_url: str = ""
    # SMS: "console" (logs texts), "http" (a JSON gateway, see docs/notifications.md)
    # or "module:Class", with its options as a JSON object; inbound texts are signed
    # with the webhook secret (empty: not accepted).
    sms_gateway: str = "console"
    sms_gateway_options: str = "{}"
    sms_webhook_secret: str = ""
    # Prefix of local numbers when matching a sender (+86 138... is 138...).
    sms_country_code: Annotated[str, Meta(pattern=r"^[0-9]{0,4}$")] = "86"
    # E-mail through this SMTP server; empty host: no e-mail is sent.
    smtp_host: str = ""
    smtp_port: Port = 587
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    mail_from: str = "FieldOps <fieldops@localhost>"
    # Geocoding of addresses: a geopy service name (e.g. "nominatim") or "module:Class"
    # of a geopy-compatible geocoder, with its options as a JSON object; empty: off.
    geocoder: str = ""
    geocoder_options: str = "{}"
    # On-duty location pings (and a last known position) older than this are deleted.
    position_retention_days: Positive = 30
    # The managers' map: tiles from this URL template ({z}/{x}/{y}, optionally {s}),
    # e.g. an intranet tile server, credited with this line.
    map_tile_url: TileUrl = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    map_attribution: str = "© OpenStreetMap contributors"
    # The phone app's files; empty: the bundled pwa/app (with its vendor/ filled by
    # scripts/lib/ensure-pwa). Another directory serves a customised build of the app.
    pwa_dir: str = ""
    # Browser origins (exact, comma-separated) allowed to call the API from their own
    # pages; empty: none, and no CORS headers at all.
    cors_origins: str = ""
    # Served over HTTPS (directly or behind a proxy): browsers are told to keep to it.
    hsts: bool = False

    @property
    def blob_path(self) -> Path:
        return Path(self.blob_dir) if self.blob_dir else Path(self.var_dir) / "blobs"

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @property
    def sqlite_path(self) -> Path:
        return Path(self.database_url.removeprefix("sqlite:///"))


def env_name(field: str) -> str:
    return PREFIX + field.upper()


def from_env(environ: Mapping[str, str] | None = None) -> Settings:
    """Parse the environment; a wrong value raises SettingsError naming its variable."""
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for field in msgspec.structs.fields(Settings):
        raw = environ.get(env_name(field.name))
        if raw is None:
            continue
        try:
            values[field.name] = msgspec.convert(raw, field.type, strict=False)
        except msgspec.ValidationError as exc:
            raise SettingsError(f"{env_name(field.name)}={raw!r} is invalid: {exc}") from None
    if "database_url" not in values and "var_dir" in values:
        # The embedded database lives with the rest of the embedded mode's files.
        values["database_url"] = f"sqlite:///{Path(str(values['var_dir'])) / 'fieldops.sqlite'}"
    return Settings(**values)  # type: ignore[arg-type]


def with_secret_key(settings: Settings) -> Settings:
    """Fill an unset secret key from var/secret_key, creating it on first run."""
    if settings.secret_key:
        if len(settings.secret_key) < 32:
            raise SettingsError(f"{env_name('secret_key')} must be at least 32 characters")
        return settings
    path = Path(settings.var_dir) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Several workers may start at once: write aside, then link into place, so
        # every process reads the same complete key.
        draft = path.with_name(f"secret_key.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
        draft.unlink()
    return msgspec.structs.replace(settings, secret_key=path.read_text().strip())


def load() -> Settings:
    return with_secret_key(from_env())
