"""Running the app under gunicorn from `voucher serve`: gunicorn replaces this process, with
voucher/gunicorn_conf.py as its configuration (logging, metrics, timeout)."""

from __future__ import annotations

import os
import sys

# A sync worker (one thread) is killed after this many seconds on one request: long enough for
# the largest invoice upload (50 MB: about a minute, from bench invoices' 6.6 MB in 7.5 s), short
# enough to end a hung worker.
TIMEOUT_SECONDS = 120


def run(host: str, port: int, workers: int, threads: int) -> None:
    """One thread per worker (gunicorn's sync worker) unless asked: measured with PostgreSQL on
    the same 2 cores, 2 such workers issue 1.5 to 2 times as many vouchers a second as 2 workers
    of 4 threads, whose threads queue for the interpreter lock after every round trip and whose
    kept-alive connections can pile up on one worker (docs/BENCHMARKS.md, http). Threads pay off
    only where the database is far away; more workers is the first thing to try."""
    os.execv(sys.executable, [sys.executable, "-m", "gunicorn", "-c", "python:voucher.gunicorn_conf",
                              "-b", f"{host}:{port}", "-w", str(workers), "--threads", str(threads),
                              "voucher:create_app()"])
