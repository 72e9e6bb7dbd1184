from piccolo.columns import (
    UUID,
    Array,
    Boolean,
    ForeignKey,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

ROLES = ("admin", "manager", "technician", "inspector", "requester")


class Department(Table):
    id = UUID(primary_key=True)
    name = Varchar(length=100, unique=True)


class Team(Table):
    id = UUID(primary_key=True)
    name = Varchar(length=100, unique=True)
    department = ForeignKey(Department, null=True, on_delete=OnDelete.restrict)


class Skill(Table):
    code = Varchar(length=50, primary_key=True)
    name = Varchar(length=100)


class User(Table, tablename="app_user"):
    id = UUID(primary_key=True)
    username = Varchar(length=64, unique=True)
    display_name = Varchar(length=100)
    email = Varchar(length=254, null=True, default=None)
    phone = Varchar(length=32, null=True, default=None, index=True)
    role = Varchar(length=16, choices=None)
    department = ForeignKey(Department, null=True, on_delete=OnDelete.restrict)
    team = ForeignKey(Team, null=True, on_delete=OnDelete.restrict)
    skills = Array(Varchar(length=50))
    language = Varchar(length=8, default="zh-CN")
    password_hash = Varchar(length=200)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class ManagedDepartment(Table):
    """A manager's (dispatcher's) authority over a department's orders."""

    id = UUID(primary_key=True)
    manager = ForeignKey(User, index=True, on_delete=OnDelete.cascade)
    department = ForeignKey(Department, on_delete=OnDelete.cascade)


class Session(Table, tablename="auth_session"):
    """A login: access tokens name it, the current refresh token is stored hashed."""

    id = UUID(primary_key=True)
    user = ForeignKey(User, index=True, on_delete=OnDelete.cascade)
    refresh_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)


class UsedRefreshToken(Table):
    """A refresh token that was traded in: presented again, it gives its session away."""

    hash = Varchar(length=64, primary_key=True)
    session = ForeignKey(Session, on_delete=OnDelete.cascade)
    used_at = Timestamptz(index=True)


class LoginFailure(Table):
    """A failed login (or one in progress: a success deletes its username's rows)."""

    id = UUID(primary_key=True)
    username = Varchar(length=64, index=True)
    client_ip = Varchar(length=45, index=True)
    failed_at = Timestamptz(index=True)
