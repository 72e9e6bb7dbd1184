"""Where blob bytes live. The embedded default keeps them on disk; an S3-compatible
store implements the same five operations (a partial upload maps onto a multipart
upload, ``commit`` onto completing it)."""

from __future__ import annotations

import fcntl
import hashlib
import os
from pathlib import Path
from typing import Protocol


class OffsetMismatch(Exception):
    """A chunk does not continue the upload where it stands."""

    def __init__(self, received: int) -> None:
        super().__init__(f"the upload stands at {received} bytes")
        self.received = received


class BlobStore(Protocol):
    def has(self, sha256: str) -> bool: ...

    def received(self, sha256: str) -> int:
        """Bytes of an unfinished upload (0 if none)."""
        ...

    def append(self, sha256: str, offset: int, data: bytes) -> int:
        """Add a chunk at ``offset`` (which must be ``received``); the new total."""
        ...

    def finish(self, sha256: str) -> tuple[str, bytes]:
        """The finished upload's real SHA-256 and its bytes, still unpublished."""
        ...

    def commit(self, sha256: str) -> None:
        """Publish a finished upload under its hash."""
        ...

    def discard(self, sha256: str) -> None: ...

    def read(self, sha256: str) -> bytes: ...


class DiskBlobStore:
    """Files under ``root/ab/abcdef...``; unfinished uploads under ``root/partial``.
    Appends hold an exclusive lock on the partial file, so workers on one machine
    (sharing the directory) never interleave chunks."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def _partial(self, sha256: str) -> Path:
        return self.root / "partial" / f"{sha256}.part"

    def has(self, sha256: str) -> bool:
        return self._path(sha256).exists()

    def received(self, sha256: str) -> int:
        try:
            return self._partial(sha256).stat().st_size
        except FileNotFoundError:
            return 0

    def append(self, sha256: str, offset: int, data: bytes) -> int:
        partial = self._partial(sha256)
        partial.parent.mkdir(parents=True, exist_ok=True)
        with open(partial, "ab") as file:
            fcntl.flock(file, fcntl.LOCK_EX)
            size = file.seek(0, os.SEEK_END)
            if size != offset:
                raise OffsetMismatch(size)
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
            return size + len(data)

    def finish(self, sha256: str) -> tuple[str, bytes]:
        data = self._partial(sha256).read_bytes()
        return hashlib.sha256(data).hexdigest(), data

    def commit(self, sha256: str) -> None:
        target = self._path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self._partial(sha256), target)

    def discard(self, sha256: str) -> None:
        self._partial(sha256).unlink(missing_ok=True)

    def read(self, sha256: str) -> bytes:
        return self._path(sha256).read_bytes()
