"""Copying SQLite's write-ahead log back into the database, off the request path.

By default the connection whose commit takes the log past 1,000 pages copies it
back, with an fsync, inside that commit: a sync push (about 400 pages) paid for
one every few commits, and every writer queued behind it. A thread with its own
connection checkpoints instead, on the other core; SQLite releases the GIL while
it copies. Commits still checkpoint by themselves past a far larger log, should
this thread ever fall behind.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

LOG = logging.getLogger(__name__)
# Pages (4 KiB) past which a commit checkpoints by itself.
BACKSTOP_PAGES = 25_000


class Checkpointer:
    def __init__(self, path: str, interval: float = 0.5) -> None:
        self.path = path
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        connection = sqlite3.connect(self.path, timeout=5.0)
        try:
            while not self._stop.wait(self.interval):
                try:
                    # PASSIVE: copies what no reader still needs, never waits for or
                    # blocks the writers; what it cannot copy now, it copies next time.
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error as exc:
                    LOG.warning("WAL checkpoint failed, retrying: %s", exc)
        finally:
            connection.close()
