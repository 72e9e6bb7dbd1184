"""A small organisation written straight into the database, with tokens minted
without the (deliberately slow) password hash, so each test starts in a second."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from server.accounts.passwords import hash_password_sync
from server.accounts.tables import Department, ManagedDepartment, Session, Skill, Team, User
from server.accounts.tokens import issue_access_token, new_refresh_token
from server.masterdata.tables import Customer, CustomerGroup, Site
from server.settings import Settings
from tests.clock import FakeClock

PASSWORD = "correct-horse-42"
_PASSWORD_HASH = hash_password_sync(PASSWORD)


class World:
    """Two departments, each with a team, a manager, two technicians and an inspector;
    two requesters and an admin. ``users[name]`` are row dicts, ``headers(name)``
    authorises as that user."""

    def __init__(self, settings: Settings, clock: FakeClock) -> None:
        self.settings = settings
        self.clock = clock
        self.users: dict[str, dict[str, Any]] = {}
        self.departments: dict[str, UUID] = {}
        self.teams: dict[str, UUID] = {}
        self.sites: dict[str, UUID] = {}
        self.customers: dict[str, UUID] = {}
        self._tokens: dict[str, str] = {}
        self._issued: dict[str, datetime] = {}

    async def build(self) -> World:
        await Skill.insert(
            Skill(code="electrical", name="Electrical"),
            Skill(code="hvac", name="HVAC"),
            Skill(code="plumbing", name="Plumbing"),
        )
        for key in ("north", "south"):
            department = Department(id=uuid4(), name=f"{key} ops")
            await department.save()
            self.departments[key] = department.id
            team = Team(id=uuid4(), name=f"{key} crew", department=department.id)
            await team.save()
            self.teams[key] = team.id
        await self.add_user("admin", "admin")
        for key in ("north", "south"):
            await self.add_user(f"{key}_manager", "manager", department=key, manages=[key])
            await self.add_user(f"{key}_tech", "technician", department=key, team=key)
            await self.add_user(f"{key}_tech2", "technician", department=key, team=key)
            await self.add_user(f"{key}_inspector", "inspector", department=key, team=key)
        await self.add_user("requester", "requester")
        await self.add_user("other_requester", "requester")
        group = CustomerGroup(id=uuid4(), name="Retail")
        await group.save()
        customer = Customer(id=uuid4(), name="Acme Stores", group=group.id)
        await customer.save()
        self.customers["acme"] = customer.id
        site = Site(
            id=uuid4(),
            name="Acme Central",
            latitude=31.23,
            longitude=121.47,
            geofence_radius_m=150.0,
            customer=customer.id,
        )
        await site.save()
        self.sites["central"] = site.id
        return self

    async def add_user(
        self,
        name: str,
        role: str,
        department: str | None = None,
        team: str | None = None,
        manages: list[str] | None = None,
        skills: list[str] | None = None,
    ) -> dict[str, Any]:
        user = User(
            id=uuid4(),
            username=name.replace("_", "."),
            display_name=name.replace("_", " ").title(),
            role=role,
            department=self.departments[department] if department else None,
            team=self.teams[team] if team else None,
            skills=skills or ["electrical"],
            password_hash=_PASSWORD_HASH,
            phone=None,
        )
        await user.save()
        for key in manages or []:
            await ManagedDepartment(
                id=uuid4(), manager=user.id, department=self.departments[key]
            ).save()
        self.users[name] = {"id": user.id, "username": user.username, "role": role}
        return self.users[name]

    def id(self, name: str) -> UUID:
        return self.users[name]["id"]  # type: ignore[no-any-return]

    async def token(self, name: str) -> str:
        """A bearer token valid now: a test that moves its clock past a token's 12 hours
        gets a new one."""
        issued = self._issued.get(name)
        if issued is not None and self.clock() - issued >= timedelta(hours=11):
            del self._tokens[name]
        if name not in self._tokens:
            self._issued[name] = self.clock()
            session = Session(
                id=uuid4(),
                user=self.id(name),
                refresh_hash=new_refresh_token()[1],
                created_at=self.clock(),
                expires_at=self.clock() + timedelta(days=30),
            )
            await session.save()
            self._tokens[name] = issue_access_token(
                self.settings.secret_key,
                self.id(name),
                session.id,
                self.clock(),
                timedelta(hours=12),
            )
        return self._tokens[name]

    async def headers(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.token(name)}"}
