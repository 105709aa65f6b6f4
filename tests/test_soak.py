"""The soak benchmark (bench/soak.py) for a few seconds instead of ten minutes: the mixed load
runs against gunicorn and PostgreSQL without a single error, and the report has its per-minute
table. How fast it was is the benchmark's business, not the test's."""

from __future__ import annotations

import pytest

from bench import soak
from tests.conftest import require_postgres

pytestmark = pytest.mark.slow  # a drill: not in the fast lane


def test_a_short_soak_runs_without_errors_and_reports_per_minute():
    require_postgres()
    report = soak.soak(seconds=5, rate=40)
    assert not report.errors, report.errors
    assert len(report.minutes) == 1 and report.minutes[0].requests == len(report.samples) > 0
    assert {s.action for s in report.samples} >= {"poll revocations", "redeem", "issue"}
    assert report.stored.endswith("each exactly once")
    assert all(mb for mb in report.rss_start.values()) and sorted(report.rss_start) == report.workers_end
    table = dict(soak.rows(report))
    assert table["Soak, minute 1"].startswith(f"{len(report.samples):,} requests, 0 errors")
