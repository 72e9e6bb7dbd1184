"""Copy the PWA's front-end libraries from pwa/node_modules into pwa/app/vendor/.

pwa/vendor.json maps each served path (``vendor/...``, under pwa/app) to a file in
node_modules, or, when both end in ``/``, a directory to a directory (source maps and
type declarations left out). Files whose bytes did not change are not touched and files
no longer mapped are deleted, so a server running meanwhile never sees the directory
half empty and a second run does nothing. Run by scripts/lib/ensure-pwa.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

PWA = Path(__file__).resolve().parents[1] / "pwa"
VENDOR = "vendor/"
SKIPPED = (".map", ".d.ts")


class VendorError(Exception):
    """vendor.json names something node_modules does not have."""


def vendored_files(pwa: Path = PWA) -> dict[str, Path]:
    """Each file to serve (its path under pwa/app) with the node_modules file it copies."""
    mapping: dict[str, str] = json.loads((pwa / "vendor.json").read_text(encoding="utf-8"))
    modules = pwa / "node_modules"
    files: dict[str, Path] = {}
    for target, source in mapping.items():
        if not target.startswith(VENDOR) or target.endswith("/") != source.endswith("/"):
            raise VendorError(
                f"vendor.json: {target!r} <- {source!r}: map vendor/... to a file, "
                "or a directory (both ending in /) to a directory"
            )
        origin = modules / source
        if target.endswith("/"):
            if not origin.is_dir():
                raise VendorError(f"vendor.json: no directory node_modules/{source}")
            for path in sorted(origin.rglob("*")):
                if path.is_file() and not path.name.endswith(SKIPPED):
                    files[target + path.relative_to(origin).as_posix()] = path
        elif origin.is_file():
            files[target] = origin
        else:
            raise VendorError(f"vendor.json: no file node_modules/{source}")
    return files


def copy_vendored(pwa: Path = PWA) -> list[str]:
    """Bring pwa/app/vendor/ in line with vendor.json; the paths written or deleted."""
    app = pwa / "app"
    files = vendored_files(pwa)
    changed = []
    vendor = app / VENDOR
    if vendor.exists():
        for path in sorted(vendor.rglob("*"), reverse=True):
            served = path.relative_to(app).as_posix()
            if path.is_file() and served not in files:
                path.unlink()
                changed.append(served)
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    for served, origin in files.items():
        target = app / served
        content = origin.read_bytes()
        if target.is_file() and target.read_bytes() == content:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        draft = target.with_name(f".{target.name}.{os.getpid()}")
        draft.write_bytes(content)
        draft.replace(target)
        changed.append(served)
    return changed


def main() -> None:
    try:
        changed = copy_vendored()
    except VendorError as exc:
        sys.exit(f"pwa_vendor: {exc} (run 'npm ci' in pwa/)")
    if changed:
        print(f"pwa/app: {len(changed)} vendored files updated")


if __name__ == "__main__":
    main()
