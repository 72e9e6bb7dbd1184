from __future__ import annotations

from pathlib import Path

import pytest

from server.settings import Settings, SettingsError, from_env, with_secret_key


def test_defaults_are_the_embedded_mode() -> None:
    settings = from_env({})
    assert settings.database_url == "sqlite:///var/fieldops.sqlite"
    assert settings.is_sqlite
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)


def test_the_embedded_database_follows_the_var_dir() -> None:
    assert from_env({"FIELDOPS_VAR_DIR": "/srv/fieldops"}).database_url == (
        "sqlite:////srv/fieldops/fieldops.sqlite"
    )
    explicit = {"FIELDOPS_VAR_DIR": "/srv/x", "FIELDOPS_DATABASE_URL": "sqlite:///other.db"}
    assert from_env(explicit).database_url == "sqlite:///other.db"


def test_values_are_parsed_and_typed() -> None:
    settings = from_env(
        {
            "FIELDOPS_PORT": "9001",
            "FIELDOPS_HOST": "0.0.0.0",
            "FIELDOPS_DATABASE_URL": "postgresql://u@db:5432/fieldops",
            "FIELDOPS_REFRESH_TOKEN_DAYS": "7",
        }
    )
    assert settings.port == 9001
    assert settings.refresh_token_days == 7
    assert not settings.is_sqlite


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FIELDOPS_PORT", "abc"),
        ("FIELDOPS_PORT", "70000"),
        ("FIELDOPS_DATABASE_URL", "mysql://x"),
        ("FIELDOPS_DB_POOL_SIZE", "0"),
        ("FIELDOPS_ACCESS_TOKEN_MINUTES", "soon"),
        ("FIELDOPS_MAP_TILE_URL", "tiles.intranet/{z}/{x}/{y}.png"),
        ("FIELDOPS_MAP_TILE_URL", "https://tiles.intranet/{z}/{x}.png"),
    ],
)
def test_a_wrong_value_names_its_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        from_env({name: value})


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = with_secret_key(Settings(var_dir=str(tmp_path)))
    second = with_secret_key(Settings(var_dir=str(tmp_path)))
    assert len(first.secret_key) >= 32
    assert first.secret_key == second.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_short_secret_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="FIELDOPS_SECRET_KEY"):
        with_secret_key(Settings(secret_key="short", var_dir=str(tmp_path)))
