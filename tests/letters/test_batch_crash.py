"""A letter batch killed half-way and run again issues no voucher twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, func, select

from voucher.services.issuing import CHUNK
from voucher.store import Voucher

pytestmark = pytest.mark.slow  # a drill (a batch process killed): not in the fast lane

ROWS = 3 * CHUNK  # issued in chunks: the kill lands after the first chunk and before the last


def count(database) -> int:
    """Read without the app's engine: its SQLite sessions take the write lock at BEGIN, and would
    queue behind the batch until it is done instead of seeing its first chunk."""
    engine = create_engine(database.url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(Voucher))
    finally:
        engine.dispose()


def test_killed_batch_rerun_issues_each_row_once(tmp_path, database):
    day = (date.today() + timedelta(days=20)).isoformat()
    source = tmp_path / "big.csv"
    source.write_text("external_ref,holder_name,valid_from,valid_until,zone,cost_center\n" + "".join(
        f"K{i},Person {i},{day},{day},AB,KST-1\n" for i in range(ROWS)), encoding="utf-8")
    env = {**os.environ, "VOUCHER_DATA_DIR": str(tmp_path), "VOUCHER_KEYS_DIR": str(tmp_path / "keys"),
           "DATABASE_URL": database.url}
    env.pop("VOUCHER_KEY_PASSPHRASE", None)
    subprocess.run([sys.executable, "-m", "voucher", "init"], env=env, check=True, capture_output=True)
    before = count(database)
    command = [sys.executable, "-m", "voucher", "letters", "batch", str(source), "--out", str(tmp_path / "out.pdf")]
    batch = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while count(database) == before and time.monotonic() < deadline:
        time.sleep(0.005)
    batch.send_signal(signal.SIGKILL)
    batch.wait()
    issued_before_crash = count(database) - before
    assert 0 < issued_before_crash < ROWS, "the batch should die half-way"
    assert issued_before_crash % CHUNK == 0, "a chunk is committed whole or not at all"
    assert not (tmp_path / "out.pdf").exists()
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert f"{issued_before_crash} already issued before" in result.stderr
    assert count(database) - before == ROWS
