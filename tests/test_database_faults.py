"""PostgreSQL stops in the middle of the morning rush and comes back: clients get 503 with
Retry-After (never a 500, never a hang), the pool recovers by itself, and every voucher and
redemption a client retried is stored exactly once."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from tests.pgcluster import cluster  # noqa: F401 - fixture
from voucher import create_app
from voucher.config import Settings
from voucher.db import Database
from voucher.keys import KeyStore
from voucher.services import audit, clients
from voucher.store import AuditEvent, Redemption, Voucher

pytestmark = pytest.mark.slow  # a drill: not in the fast lane

ISSUERS, VOUCHERS_EACH = 4, 12
DEVICES, BATCHES_EACH, BATCH = 2, 8, 4
TODAY, TOMORROW = date.today().isoformat(), (date.today() + timedelta(days=1)).isoformat()


class Client:
    """Retries a request until it is acknowledged, as the letter system and the verifier page do,
    and keeps what a client would complain about."""

    def __init__(self, base: str, token: str):
        self.base, self.token = base, token
        self.unavailable = 0
        self.complaints: list[str] = []

    def post_until_acknowledged(self, path: str, body: dict) -> dict | None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            request = urllib.request.Request(
                self.base + path, data=json.dumps(body).encode(), method="POST",
                headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return json.load(response)
            except urllib.error.HTTPError as error:
                retry_after = error.headers.get("Retry-After")
                if error.code != 503 or not retry_after or error.headers.get_content_type() != "application/problem+json":
                    self.complaints.append(f"{error.code} {error.headers.get_content_type()} {error.read()[:200]!r}")
                    return None
                self.unavailable += 1
                time.sleep(min(float(retry_after), 0.5))  # shortened so the test stays quick
            except OSError as error:  # a timeout or a dropped connection: the server hung or died
                self.complaints.append(repr(error))
                return None
        self.complaints.append(f"{path} never acknowledged")
        return None


def _issue_many(client: Client, worker: int, acknowledged: dict[str, str]) -> None:
    for i in range(VOUCHERS_EACH):
        ref = f"fault-{worker}-{i}"
        body = {"holder_name": f"Person {worker}-{i}", "valid_from": TODAY, "valid_until": TOMORROW, "zone": "AB",
                "cost_center": "KST-1", "return_trip": True, "external_ref": ref}
        answer = client.post_until_acknowledged("/api/v1/vouchers", body)
        if answer is not None:
            acknowledged[ref] = answer["id"]


def _sync_many(client: Client, device: str, codes: list[str], acknowledged: dict[str, str]) -> None:
    for b in range(BATCHES_EACH):
        items = [{"client_id": str(uuid.uuid4()), "code": codes[(b * BATCH + i) % len(codes)],
                  "redeemed_at": datetime.now(UTC).isoformat()} for i in range(BATCH)]
        answer = client.post_until_acknowledged("/api/v1/redemptions", {"device_id": device, "redemptions": items})
        if answer is not None:
            acknowledged.update({r["client_id"]: r["outcome"] for r in answer["results"]})


def test_postgres_restart_mid_run_costs_503s_and_loses_or_doubles_nothing(cluster, tmp_path):  # noqa: F811
    db = Database(cluster.url)
    db.upgrade()
    now = datetime.now(UTC)
    KeyStore(tmp_path / "keys").init("Jobcenter Test", now - timedelta(days=1), timedelta(days=730))
    with db.session() as session:
        issuer = clients.create_token(session, "issuer", "letters", now)
        verifier = clients.create_token(session, "verifier", "bus", now)
        session.commit()
    app = create_app(Settings(data_dir=tmp_path, keys_dir=tmp_path / "keys", database_url=cluster.url))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        seed: dict[str, str] = {}
        _issue_many(Client(base, issuer), 99, seed)
        with db.session() as session:
            codes = list(session.scalars(select(Voucher.code)))

        issued: dict[str, str] = {}
        redeemed: dict[str, str] = {}
        workers = [(Client(base, issuer), _issue_many, (w, issued)) for w in range(ISSUERS)]
        workers += [(Client(base, verifier), _sync_many, (f"tablet-{d}", codes, redeemed)) for d in range(DEVICES)]
        threads = [threading.Thread(target=work, args=(client, *args)) for client, work, args in workers]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while len(issued) + len(redeemed) < 12 and time.monotonic() < deadline:
            time.sleep(0.02)
        cluster.stop("immediate")  # the morning rush meets a crashed server
        time.sleep(2)
        cluster.start()
        for thread in threads:
            thread.join(timeout=180)

        assert not any(thread.is_alive() for thread in threads), "a client hung"
        assert [c for client, _, _ in workers for c in client.complaints] == []
        assert sum(client.unavailable for client, _, _ in workers) > 0, "the restart should have hit requests"
        assert len(issued) == ISSUERS * VOUCHERS_EACH
        assert len(redeemed) == DEVICES * BATCHES_EACH * BATCH
        with urllib.request.urlopen(base + "/readyz", timeout=30) as health:
            assert health.status == 200  # the pool recovered by itself
    finally:
        server.shutdown()
        app.extensions["voucher"].db.engine.dispose()

    with db.session() as session:
        stored = dict(session.execute(select(Voucher.external_ref, Voucher.id).where(Voucher.external_ref.like("fault-%-%"))).all())
        assert {ref: stored[ref] for ref in issued} == issued and len(stored) == len(issued) + len(seed)
        outcomes = dict(session.execute(select(Redemption.client_id, Redemption.outcome)).all())
        assert outcomes == redeemed
        actions = dict(session.execute(select(AuditEvent.action, func.count()).group_by(AuditEvent.action)).all())
        assert actions == {"token_create": 2, "issue": len(stored), "redeem": len(redeemed)}
        assert audit.verify(session).broken is None  # the crash left no gap in the chain
    db.engine.dispose()
