"""Running the app under gunicorn from `voucher serve`."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication

from .config import Settings


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from . import create_app

        return create_app()


# A sync worker (one thread) is killed after this many seconds on one request: long enough for
# the largest invoice upload (50 MB: about a minute, from bench invoices' 6.6 MB in 7.5 s), short
# enough to end a hung worker.
TIMEOUT_SECONDS = 120


def run(host: str, port: int, workers: int, threads: int, settings: Settings) -> None:
    """One thread per worker (gunicorn's sync worker) unless asked: measured with PostgreSQL on
    the same 2 cores, 2 such workers issue 1.5 to 2 times as many vouchers a second as 2 workers
    of 4 threads, whose threads queue for the interpreter lock after every round trip and whose
    kept-alive connections can pile up on one worker (docs/BENCHMARKS.md, http). Threads pay off
    only where the database is far away; more workers is the first thing to try."""
    # No gunicorn access log: the app logs one JSON line per request without ids or queries.
    _Gunicorn({"bind": f"{host}:{port}", "workers": workers, "threads": threads, "timeout": TIMEOUT_SECONDS}).run()
