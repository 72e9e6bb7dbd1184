from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from msgspec import Meta

from server.types import (
    Email,
    Language,
    Password,
    Phone,
    Role,
    ShortName,
    SkillCodes,
    Username,
)

DepartmentIds = Annotated[list[UUID], Meta(max_length=100)]


class LoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    username: Annotated[str, Meta(max_length=64, examples=["tech01"])]
    password: Annotated[str, Meta(max_length=200, examples=["fieldops-demo"])]


class RefreshRequest(msgspec.Struct, forbid_unknown_fields=True):
    refresh_token: Annotated[str, Meta(max_length=200)]


class PasswordChange(msgspec.Struct, forbid_unknown_fields=True):
    current_password: Annotated[str, Meta(max_length=200)]
    new_password: Password


class TokenPair(msgspec.Struct):
    access_token: str
    refresh_token: str
    token_type: str
    expires_in: int


class User(msgspec.Struct):
    id: UUID
    username: str
    display_name: str
    role: str
    email: str | None
    phone: str | None
    department_id: UUID | None
    team_id: UUID | None
    skills: list[str]
    language: str
    active: bool
    created_at: datetime


class UserCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    username: Username
    display_name: ShortName
    role: Role
    password: Password
    email: Email | None = None
    phone: Phone | None = None
    department_id: UUID | None = None
    team_id: UUID | None = None
    skills: SkillCodes = msgspec.field(default_factory=list)
    language: Language = "zh-CN"
    managed_department_ids: DepartmentIds = msgspec.field(default_factory=list)


class UserUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    display_name: ShortName | msgspec.UnsetType = msgspec.UNSET
    role: Role | msgspec.UnsetType = msgspec.UNSET
    email: Email | msgspec.UnsetType | None = msgspec.UNSET
    phone: Phone | msgspec.UnsetType | None = msgspec.UNSET
    department_id: UUID | msgspec.UnsetType | None = msgspec.UNSET
    team_id: UUID | msgspec.UnsetType | None = msgspec.UNSET
    skills: SkillCodes | msgspec.UnsetType = msgspec.UNSET
    language: Language | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET
    password: Password | msgspec.UnsetType = msgspec.UNSET
    managed_department_ids: DepartmentIds | msgspec.UnsetType = msgspec.UNSET


class UserPage(msgspec.Struct):
    items: list[User]
