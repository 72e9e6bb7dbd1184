"""The server's VAPID key pair, which signs every Web Push request.

Made once (``fieldops vapid-keys``, or on first start) into ``var/vapid_private.pem``
unless ``FIELDOPS_VAPID_PRIVATE_KEY`` names a PEM file. Only the public key ever
leaves the server (``GET /api/push/key``): browsers subscribe with it.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from py_vapid import Vapid02
from py_vapid.utils import b64urlencode

from server.settings import Settings, SettingsError, env_name

FILE = "vapid_private.pem"


def key_path(settings: Settings) -> Path:
    return Path(settings.vapid_private_key or Path(settings.var_dir) / FILE)


def load_or_create(settings: Settings) -> Vapid02:
    """The key pair; made and saved (readable by the owner only) when missing and no
    path was given. SettingsError when a given file is not a usable key."""
    path = key_path(settings)
    if not path.exists():
        if settings.vapid_private_key:
            raise SettingsError(f"{env_name('vapid_private_key')}: no file {path}")
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh = Vapid02()
        fresh.generate_keys()
        # Several processes may start at once: write aside, then link into place.
        draft = path.with_name(f"{FILE}.{os.getpid()}")
        fresh.save_key(str(draft))
        draft.chmod(0o600)
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
        draft.unlink()
    try:
        return Vapid02.from_file(str(path))
    except Exception as exc:  # py_vapid raises bare errors of its own for a bad file
        raise SettingsError(f"{env_name('vapid_private_key')}: {path} is no key: {exc}") from None


def public_key(vapid: Vapid02) -> str:
    """The applicationServerKey browsers subscribe with (uncompressed point, base64url)."""
    raw = vapid.public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return b64urlencode(raw)
