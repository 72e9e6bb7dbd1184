"""Who is calling: resolved once per request from the bearer token."""

from __future__ import annotations

from uuid import UUID

import msgspec


class Actor(msgspec.Struct, frozen=True, kw_only=True):
    user_id: UUID
    session_id: UUID
    username: str
    display_name: str
    role: str
    department_id: UUID | None
    team_id: UUID | None
    language: str
    managed_departments: tuple[UUID, ...] = ()
    # A machine client's API key acting as the user (server/integrations/): only the
    # operations that name one of these scopes. A person: none, the role's full rights.
    scopes: tuple[str, ...] = ()
    api_key_id: UUID | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_manager(self) -> bool:
        return self.role == "manager"

    @property
    def is_field_worker(self) -> bool:
        return self.role in ("technician", "inspector")

    @property
    def is_requester(self) -> bool:
        return self.role == "requester"

    @property
    def can_manage(self) -> bool:
        """Admins and managers maintain master data and route orders."""
        return self.role in ("admin", "manager")
