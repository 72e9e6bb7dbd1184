"""The ``fieldops`` command: serve the API, migrate, load the demo, create users.

A wrong setting, an unreachable database, a failed migration or an outdated
schema prints one line to stderr and exits with status 2; a refused request
(a taken username, an unknown department) exits with status 1.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import uuid
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
import msgspec
from piccolo.engine.base import Engine

from server.accounts.tables import ROLES
from server.clock import utc_now
from server.settings import Settings, SettingsError, load

T = TypeVar("T")


class SetupError(click.ClickException):
    """The installation is not usable as configured: settings, database, schema."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"fieldops: error: {self.format_message()}", err=True)


class Refused(SetupError):
    """The command ran but its request was refused."""

    exit_code = 1


def one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def fail(error: BaseException, kind: type[SetupError] = SetupError) -> NoReturn:
    raise kind(one_line(error)) from None


def settings_or_exit() -> Settings:
    try:
        return load()
    except SettingsError as exc:
        fail(exc)
    except OSError as exc:
        fail(OSError(f"cannot create the secret key file: {exc}"))


def run(
    settings: Settings, work: Callable[[Engine], Awaitable[T]], *, check_schema: bool = True
) -> T:
    """Run ``work`` against the configured database, turning set-up failures into one line."""
    from server.database import DatabaseUnavailable
    from server.live import RedisUnavailable
    from server.migrations import MigrationFailed, SchemaOutdated

    async def main() -> T:
        async with database(settings, check_schema=check_schema) as engine:
            return await work(engine)

    try:
        return asyncio.run(main())
    except (
        SettingsError,
        DatabaseUnavailable,
        MigrationFailed,
        SchemaOutdated,
        RedisUnavailable,
    ) as exc:
        fail(exc)


async def connection_budget(
    command: str, engine: Engine, processes: int, settings: Settings
) -> None:
    """Refuse a process count whose pools PostgreSQL can never hold; warn of one that does
    not fit beside the connections open now."""
    from server.connection_budget import check_connection_budget

    warning = await check_connection_budget(engine, processes, settings.db_pool_size)
    if warning:
        click.echo(f"fieldops {command}: {warning}", err=True)


@asynccontextmanager
async def database(settings: Settings, *, check_schema: bool) -> AsyncIterator[Engine]:
    from server.database import bind, close_pool, create_engine, open_pool
    from server.migrations import require_current_schema
    from server.tables import all_tables

    engine = create_engine(settings)
    bind(engine, all_tables())
    await open_pool(engine, settings.db_pool_size)
    try:
        if check_schema:
            await require_current_schema(engine)
        yield engine
    finally:
        await close_pool(engine)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """FieldOps work-order server. Settings come from FIELDOPS_* environment variables."""


@cli.command()
@click.option("--host", help="Interface to listen on [default: FIELDOPS_HOST or 127.0.0.1].")
@click.option(
    "--port", type=click.IntRange(1, 65535), help="Port [default: FIELDOPS_PORT or 8000]."
)
@click.option(
    "--workers", type=click.IntRange(min=1), default=1, show_default=True, help="Worker processes."
)
@click.option("--access-log/--no-access-log", default=False, show_default=True)
def serve(host: str | None, port: int | None, workers: int, access_log: bool) -> None:
    """Serve the API with uvicorn."""
    import uvicorn

    settings = settings_or_exit()

    async def ready(engine: Engine) -> None:
        from geo.geocoding import geocoder
        from server.live import check_redis
        from server.notifications.vapid import load_or_create

        geocoder(settings)
        load_or_create(settings)
        await check_redis(settings)
        await connection_budget("serve", engine, workers, settings)

    # Fail here, in one line, rather than in a traceback from the app's start-up.
    run(settings, ready)
    uvicorn.run(
        "server.app:serving_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        access_log=access_log,
        lifespan="on",
        server_header=False,
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
    )


@cli.command()
def worker() -> None:
    """Run due jobs (SLA timers and the like) until stopped with SIGINT or SIGTERM.

    For deployments that keep jobs out of the web processes
    (FIELDOPS_RUN_SCHEDULER=false there); any number of workers may run at once.
    """
    import signal

    from geo.live import announcer
    from server import live
    from server.integrations.outbox import WebhookOutbox
    from server.notifications.delivery import delivery_loops
    from server.notifications.sms_gateway import load_gateway
    from server.notifications.vapid import load_or_create
    from server.scheduler.catalogue import JOB_KINDS
    from server.scheduler.runner import Scheduler

    settings = settings_or_exit()
    try:
        vapid = load_or_create(settings)
        gateway = load_gateway(settings)
    except SettingsError as exc:
        fail(exc)

    async def work(engine: Engine) -> None:
        # Only Redis carries the worker's changes (SLA breaches...) to the servers' maps.
        await live.check_redis(settings)
        await connection_budget("worker", engine, 1, settings)
        async with contextlib.AsyncExitStack() as stack:
            if settings.redis_url:
                feed = await stack.enter_async_context(live.channels(settings))
                channel = live.channel_name(settings.redis_url)
                stack.enter_context(live.announcing(feed, announcer(utc_now, channel), shared=True))
            tasks = [
                asyncio.create_task(Scheduler(JOB_KINDS, settings, utc_now).run_forever()),
                *map(asyncio.create_task, delivery_loops(settings, utc_now, vapid, gateway)),
                asyncio.create_task(WebhookOutbox(settings, utc_now).run_forever()),
            ]
            loop = asyncio.get_running_loop()
            for stop in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(stop, lambda: [task.cancel() for task in tasks])
            click.echo(
                f"fieldops worker {os.getpid()}: running due jobs, pushes and messages", err=True
            )
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    run(settings, work)


@cli.command()
def migrate() -> None:
    """Apply pending database migrations."""
    from server.migrations import migrate as apply

    settings = settings_or_exit()
    ran = run(settings, lambda engine: apply(engine, quiet=True), check_schema=False)
    if not ran:
        click.echo("No pending migrations.")
    for migration in ran:
        click.echo(f"Applied {migration}")


@cli.command()
@click.option(
    "--scale",
    type=click.IntRange(min=0),
    default=None,
    help="Number of work orders [default: 2000].",
)
@click.option("--seed", type=int, default=None, help="Random seed [default: 42].")
@click.option("--if-empty", is_flag=True, help="Do nothing if users already exist.")
def demo(scale: int | None, seed: int | None, if_empty: bool) -> None:
    """Load the demo data set into an empty database."""
    from server.demo.loader import (
        DEFAULT_SCALE,
        DEFAULT_SEED,
        DEMO_PASSWORD,
        DatabaseNotEmpty,
        DemoSummary,
        demo_logins,
        is_empty,
        load_demo,
    )

    # One connection: the load is sequential, and on SQLite every pooled connection
    # would otherwise grow its own bulk page cache (in its own thread's heap).
    settings = msgspec.structs.replace(settings_or_exit(), db_pool_size=1)

    async def work(engine: Engine) -> DemoSummary | None:
        if if_empty and not await is_empty():
            return None
        return await load_demo(
            scale=DEFAULT_SCALE if scale is None else scale,
            seed=DEFAULT_SEED if seed is None else seed,
            progress=sys.stderr.isatty(),
        )

    try:
        summary = run(settings, work)
    except DatabaseNotEmpty as exc:
        fail(exc, Refused)
    if summary is None:
        click.echo("The database already has users; the demo was not loaded.")
        return
    counts = ", ".join(f"{name} {count:,}" for name, count in summary.rows.items() if count)
    click.echo(
        f"Loaded {summary.total_rows:,} rows in {summary.seconds:.1f} s "
        f"({summary.rows_per_second:,.0f} rows/s): {counts}."
    )
    click.echo(f"Demo logins, all with the password {DEMO_PASSWORD!r}:")
    roles: dict[str, list[str]] = {}
    for username, role in demo_logins():
        roles.setdefault(role, []).append(username)
    for role, usernames in roles.items():
        click.echo(f"  {role + ':':12} {' '.join(usernames)}")


@cli.command()
@click.option("--site", "site_id", type=click.UUID, help="The assets of this site (its id).")
@click.option("--asset-type", help="The assets of this type.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True),
    required=True,
    help="labels.pdf or labels.svg: the extension picks the format.",
)
def labels(site_id: uuid.UUID | None, asset_type: str | None, out: str) -> None:
    """Print A4 sheets of asset labels (3 x 8: name, site, tag, Code 128 barcode)."""
    from tqdm import tqdm

    from inspection.labels import pdf_sheet, svg_sheet
    from inspection.services import sheet_labels
    from server.errors import DomainError

    path = Path(out)
    if path.suffix.lower() not in (".pdf", ".svg"):
        raise click.UsageError("--out must end in .pdf or .svg")
    if site_id is None and asset_type is None:
        raise click.UsageError("choose the labels: --site, --asset-type or both")

    async def work(engine: Engine) -> list[Any]:
        return await sheet_labels(site_id, asset_type)

    try:
        found = run(settings_or_exit(), work)
    except DomainError as exc:
        fail(ValueError(exc.message), Refused)
    draw = pdf_sheet if path.suffix.lower() == ".pdf" else svg_sheet
    with tqdm(total=len(found), unit="label", disable=not sys.stderr.isatty()) as bar:
        body = draw(found, bar.update)
    path.write_bytes(body)
    click.echo(f"Wrote {len(found):,} labels on {-(-len(found) // 24)} pages to {path}.")


@cli.command("vapid-keys")
def vapid_keys() -> None:
    """Make the Web Push (VAPID) key pair when there is none, and print its public key."""
    from server.notifications.vapid import key_path, load_or_create, public_key

    settings = settings_or_exit()
    try:
        vapid = load_or_create(settings)
    except SettingsError as exc:
        fail(exc)
    click.echo(f"private key: {key_path(settings)} (keep it secret, back it up)")
    click.echo(f"public key:  {public_key(vapid)}")


@cli.command("purge-tombstones")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=90,
    show_default=True,
    help="Keep the tombstones, push outcomes and finished jobs of this many days.",
)
def purge_tombstones(days: int) -> None:
    """Forget sync tombstones, recorded push outcomes and finished jobs older than
    --days (run it daily, e.g. from cron).

    A device that has not synced for longer must take a new snapshot.
    """
    from server.scheduler.retention import purge_finished
    from sync.retention import purge_outcomes, purge_tombstones

    async def work(engine: Engine) -> tuple[int, int, int]:
        before = utc_now() - timedelta(days=days)
        return (
            await purge_tombstones(before),
            await purge_outcomes(before),
            await purge_finished(before),
        )

    horizon, outcomes, jobs = run(settings_or_exit(), work)
    click.echo(f"Tombstones are kept after sequence value {horizon}.")
    click.echo(f"Forgot {outcomes} recorded push outcomes and {jobs} finished jobs.")


@cli.command()
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
def backup(dest: Path) -> None:
    """Copy the embedded SQLite database and the blobs into the directory DEST while the
    server keeps running; blobs already in DEST are not copied again."""
    from server.backup import BackupRefused
    from server.backup import backup as copy

    try:
        manifest = copy(settings_or_exit(), dest, utc_now())
    except BackupRefused as exc:
        fail(exc, Refused)
    rows = sum(manifest.counts.values())
    click.echo(
        f"Backed up {manifest.database_bytes:,} bytes of database ({rows:,} rows) and "
        f"{manifest.blobs:,} blobs ({manifest.blob_bytes:,} bytes) into {dest}."
    )


@cli.command()
@click.argument("src", type=click.Path(exists=True, file_okay=False, path_type=Path))
def restore(src: Path) -> None:
    """Replace the embedded SQLite database with the backup in SRC, add its blobs and
    bring its schema up to date. Every server and worker must be stopped."""
    from server.backup import BackupRefused
    from server.backup import restore as put_back
    from server.migrations import migrate as apply

    settings = settings_or_exit()
    try:
        manifest = put_back(settings, src)
    except BackupRefused as exc:
        fail(exc, Refused)
    ran = run(settings, lambda engine: apply(engine, quiet=True), check_schema=False)
    click.echo(
        f"Restored the backup of {manifest.created_at:%Y-%m-%d %H:%M:%S} UTC "
        f"into {settings.sqlite_path}; applied {len(ran)} newer migrations."
    )


@cli.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", "display_name", required=True, help="Display name.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Prompted for when not given.",
)
@click.option("--department", help="Department name.")
@click.option("--team", help="Team name.")
@click.option("--skill", "skills", multiple=True, help="Skill code; repeatable.")
@click.option("--manages", multiple=True, help="Department a manager manages; repeatable.")
@click.option("--email")
@click.option("--phone")
@click.option("--language", type=click.Choice(["zh-CN", "en"]), default="zh-CN", show_default=True)
def create_user(
    username: str,
    role: str,
    display_name: str,
    password: str,
    department: str | None,
    team: str | None,
    skills: tuple[str, ...],
    manages: tuple[str, ...],
    email: str | None,
    phone: str | None,
    language: str,
) -> None:
    """Create a user (the first admin, for example)."""
    from server.accounts import schemas
    from server.accounts.passwords import hash_password_sync
    from server.accounts.services import create_user as create
    from server.accounts.tables import Department, Team
    from server.errors import DomainError

    settings = settings_or_exit()

    async def named(table: Any, name: str) -> Any:
        row = await table.select(table.id).where(table.name == name).first()
        if row is None:
            known = ", ".join(sorted(r["name"] for r in await table.select(table.name)))
            noun = table._meta.tablename
            raise Refused(f"no {noun} named {name!r} (known: {known or 'none'})")
        return row["id"]

    async def work(engine: Engine) -> schemas.User:
        data = msgspec.convert(
            {
                "username": username.strip().lower(),
                "display_name": display_name,
                "role": role,
                "password": password,
                "email": email,
                "phone": phone,
                "department_id": await named(Department, department) if department else None,
                "team_id": await named(Team, team) if team else None,
                "skills": list(skills),
                "language": language,
                "managed_department_ids": [await named(Department, name) for name in manages],
            },
            schemas.UserCreate,
        )
        return await create(data, hash_password_sync(password))

    try:
        user = run(settings, work)
    except msgspec.ValidationError as exc:
        fail(ValueError(f"invalid user: {exc}"))
    except DomainError as exc:
        details = f" {msgspec.json.encode(exc.details).decode()}" if exc.details else ""
        fail(ValueError(exc.message + details), Refused)
    click.echo(f"Created {user.role} {user.username!r} ({user.id}).")


def main(argv: list[str] | None = None) -> None:
    # piccolo warns about a failed connection before we report it in one line.
    warnings.filterwarnings("ignore", message=".*Unable to connect to database")
    cli.main(args=argv, prog_name="fieldops")


if __name__ == "__main__":
    main()
