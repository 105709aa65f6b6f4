"""gunicorn's settings for this app, the ones `voucher serve` runs with; use them directly as
`gunicorn -c python:voucher.gunicorn_conf -b 127.0.0.1:8000 -w 2 'voucher:create_app()'`.

Read by the gunicorn master before any worker exists, so it is where (a) the configuration is
checked once (a bad variable stops the master, not each worker in turn), (b) logging becomes the
app's JSON lines for gunicorn's own messages too, and (c) prometheus-client's multiprocess mode
is switched on: PROMETHEUS_MULTIPROC_DIR must be set before a worker imports prometheus_client.
An operator's PROMETHEUS_MULTIPROC_DIR is emptied at start (files of dead workers would count
twice); without one, a private temporary folder is made and removed at exit.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from voucher import logs
from voucher.config import from_environment
from voucher.serving import TIMEOUT_SECONDS

_settings = from_environment()
_made_metrics_dir = "PROMETHEUS_MULTIPROC_DIR" not in os.environ
if _made_metrics_dir:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="voucher-metrics-")
else:
    Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)
    for stale in Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).glob("*.db"):
        stale.unlink()

timeout = TIMEOUT_SECONDS
loglevel = _settings.log_level.lower()
logconfig_dict = logs.config(_settings.log_level)
accesslog = None  # the app logs each request (route, status, role, request id)
control_socket_disable = True  # gunicorn 27's control socket lives in $HOME, which systemd hides


def child_exit(server: Any, worker: Any) -> None:
    """A worker's gauges leave the sums when it exits (counters and histograms stay)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server: Any) -> None:
    if _made_metrics_dir:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
