"""The app as it is deployed, for the benchmarks that load it over HTTP (http, issuing, soak):
gunicorn (one thread per worker, as `voucher serve` runs them) on a PostgreSQL schema of its own
in the local server (or a SQLite file), with a signing key and one API token per role; the
database is dropped afterwards."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.databases import database_url
from voucher.db import Database
from voucher.keys import KeyStore
from voucher.services import clients
from voucher.serving import TIMEOUT_SECONDS

THREADS = 1  # per worker, as `voucher serve` runs them (voucher/serving.py says why)
READY_SECONDS = 30


@dataclass(frozen=True)
class Setup:
    folder: Path  # temporary: the keys, and room for a benchmark's own files
    env: dict[str, str]  # the environment gunicorn runs the app in
    tokens: dict[str, str]  # role -> API token


@dataclass(frozen=True)
class Server:
    base: str  # http://127.0.0.1:PORT
    process: subprocess.Popen

    def workers(self) -> list[int]:
        """The pids of gunicorn's workers (the children of its master process)."""
        children = []
        for entry in Path("/proc").iterdir():
            try:
                stat = (entry / "stat").read_text()
            except (OSError, ValueError):
                continue  # not a process, or one that just ended
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                children.append(int(entry.name))
        return sorted(children)


def rss_mb(pid: int) -> float | None:
    """Resident memory of a process in MB (None once it has ended)."""
    try:
        line = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return None
    return int(line.split()[1]) / 1024


@contextmanager
def app_on(backend: str = "PostgreSQL") -> Iterator[Setup]:
    """A migrated, empty database with a signing key and a token per role (rate limits lifted:
    the load comes from one address with one token per role)."""
    with tempfile.TemporaryDirectory() as tmp, database_url(backend, Path(tmp)) as url:
        folder = Path(tmp)
        Database(url).upgrade()
        now = datetime.now(UTC)
        KeyStore(folder / "keys").init("bench", now, timedelta(days=30))
        database = Database(url)
        with database.session() as session:
            tokens = {role: clients.create_token(session, role, "bench", now) for role in clients.ROLES}
            session.commit()
        database.engine.dispose()
        env = {**os.environ, "DATABASE_URL": url, "VOUCHER_KEYS_DIR": str(folder / "keys"),
               "VOUCHER_DATA_DIR": str(folder), "VOUCHER_RATE_LIMIT_PER_MINUTE": str(10**7)}
        yield Setup(folder, env, tokens)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(setup: Setup, workers: int, threads: int = THREADS) -> Iterator[Server]:
    """gunicorn serving `voucher:create_app()` on a free port of 127.0.0.1, ready (its /healthz
    answers) when this yields; stopped afterwards."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads),
                                "--timeout", str(TIMEOUT_SECONDS), "-b", f"127.0.0.1:{port}", "voucher:create_app()"],
                               env=setup.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + READY_SECONDS
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"gunicorn did not come up on {base}") from None
                time.sleep(0.1)
        yield Server(base, process)
    finally:
        process.terminate()
        process.wait(timeout=30)
