"""Running the app under gunicorn from `voucher serve`."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication


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


def run(host: str, port: int, workers: int, threads: int = 1) -> None:
    # No gunicorn access log: the app logs one JSON line per request without ids or queries.
    # Threads let a worker serve other requests while one waits for PostgreSQL's commit.
    _Gunicorn({"bind": f"{host}:{port}", "workers": workers, "threads": threads}).run()
