"""Prometheus metrics at GET /metrics, asked for with `Authorization: Bearer VOUCHER_METRICS_TOKEN`
(404 while the setting is unset: nothing is exposed by default).

Counters and histograms live in this module. Under gunicorn every worker is a process, so
prometheus-client's multiprocess mode keeps them in files in PROMETHEUS_MULTIPROC_DIR (set by
voucher/gunicorn_conf.py before any worker imports this module) and a scrape sums the workers.
Business counters are counted when their transaction commits (`on_commit`): a rolled-back
issue is no voucher. Gauges that describe state (signing key days left, devices' sync lag) are
read at scrape time from the keystore and the database, so they are right in every process.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Iterator

from flask import Flask, Response, abort, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, SessionTransaction

from . import context
from .store import Redemption

REQUESTS = Histogram("voucher_http_request_duration_seconds", "Requests by route (URL rule), method and status",
                     ["route", "method", "status"],
                     buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120))
ISSUED = Counter("voucher_vouchers_issued", "Vouchers issued (new ones, not repeated keys)")
REVOKED = Counter("voucher_vouchers_revoked", "Vouchers revoked (by hand or replaced by a re-issue)")
REDEMPTIONS = Counter("voucher_redemptions", "Redemptions reported by devices, by outcome", ["outcome"])
INVOICES = Counter("voucher_invoices_checked", "Operator invoices matched (new files, not repeats)")

_PENDING = "voucher.metrics"


def on_commit(session: Session, counter: Counter, amount: float = 1, **labels: str) -> None:
    """Count `amount` once the session's transaction commits; forgotten if it rolls back."""
    session.info.setdefault(_PENDING, []).append((counter, labels, amount))


@event.listens_for(Session, "after_commit")
def _count(session: Session) -> None:
    for counter, labels, amount in session.info.pop(_PENDING, []):
        (counter.labels(**labels) if labels else counter).inc(amount)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended without a commit
        session.info.pop(_PENDING, None)


class _State(Collector):
    """Gauges read when scraped: the signing key's days left and each device's sync lag."""

    def collect(self) -> Iterator[Metric]:
        now = context.now()
        days = GaugeMetricFamily("voucher_signing_key_days_left", "Days until the signing key stops signing")
        key = context.services().keystore.signer(now)
        days.add_metric([], (key.not_after - now).total_seconds() / 86400 if key else 0)
        yield days
        lag = GaugeMetricFamily("voucher_device_sync_lag_seconds",
                                "Seconds since each verifier device last sent redemptions", labels=["device"])
        last = context.session().execute(select(Redemption.device_id, func.max(Redemption.received_at))
                                         .group_by(Redemption.device_id))
        for device, seen in last:
            lag.add_metric([device], (now - seen).total_seconds())
        yield lag


def _registry() -> CollectorRegistry:
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:  # one process (tests, the development server): the module's metrics as they are
        registry = CollectorRegistry()
        registry.register(_Default())
    registry.register(_State())
    return registry


class _Default(Collector):
    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def metrics() -> Response:
    token = context.services().settings.metrics_token
    if not token:
        abort(404)
    offered = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if not hmac.compare_digest(offered.encode(), token.encode()):
        abort(401)
    return Response(generate_latest(_registry()), mimetype=CONTENT_TYPE_LATEST)


def _observe(response: Response) -> Response:
    route = request.url_rule.rule if request.url_rule else "(no route)"
    elapsed = time.perf_counter() - g.get("started", time.perf_counter())  # set by voucher/security.py
    REQUESTS.labels(route=route, method=request.method, status=str(response.status_code)).observe(elapsed)
    return response


def init_app(app: Flask) -> None:
    app.add_url_rule("/metrics", view_func=metrics)
    app.after_request(_observe)


