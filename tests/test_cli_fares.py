"""`voucher fares import` and `voucher fares list` as an operator runs them: a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

GOOD = """zone,origin,destination,fare_class,price_cents,valid_from,valid_to
A,,,2,290,2026-01-01,2026-06-30
A,,,2,310,2026-07-01,
,Musterstadt Hbf,Jobcenter Nord,1,650,2026-01-01,
"""


@pytest.fixture
def fares(tmp_path, db):
    environment = {**os.environ, "VOUCHER_DATA_DIR": str(tmp_path), "DATABASE_URL": db.url}

    def run(*args, text: str | None = None) -> subprocess.CompletedProcess:
        if text is not None:
            (tmp_path / "fares.csv").write_text(text, encoding="utf-8")
            args = (*args, str(tmp_path / "fares.csv"))
        return subprocess.run([sys.executable, "-m", "voucher", "fares", *args], env=environment,
                              capture_output=True, text=True, timeout=60)

    return run


def test_import_adds_then_replaces(fares):
    first = fares("import", text=GOOD)
    assert first.returncode == 0 and first.stdout.strip() == "3 added, 0 replaced"
    again = fares("import", text="zone,fare_class,price_cents,valid_from\nA,2,330,2026-07-01\n")
    assert again.stdout.strip() == "0 added, 1 replaced"


def test_list_prints_csv_that_imports_again_unchanged(fares):
    fares("import", text=GOOD)
    listed = fares("list")
    assert listed.returncode == 0 and listed.stdout.splitlines()[0] == "zone,origin,destination,fare_class,price_cents,valid_from,valid_to"
    assert fares("import", text=listed.stdout).stdout.strip() == "0 added, 3 replaced"
    assert fares("list").stdout == listed.stdout


def test_list_as_json(fares):
    fares("import", text=GOOD)
    assert [f["price_cents"] for f in json.loads(fares("list", "--format", "json").stdout)] == [290, 310, 650]


def test_bad_rows_each_get_one_line_on_stderr_and_nothing_changes(fares):
    fares("import", text=GOOD)
    bad = GOOD.splitlines()[0] + "\nB,,,2,300,2026-01-01,\nC,,,2,4,80,2026-01-01,\nA,,,2,300,2026-05-01,\nD,,,9,300,2026-01-01,\n"
    result = fares("import", text=bad)
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert [line.split(":")[1].strip() for line in lines[:-1]] == ["line 3", "line 4", "line 4", "line 5"]
    assert "not changed" in lines[-1] and "Traceback" not in result.stderr
    assert "B," not in fares("list").stdout


def test_a_file_without_the_header_is_one_line_on_stderr(fares):
    result = fares("import", text="voucher_id,amount\n1,2\n")
    assert result.returncode == 1 and len(result.stderr.splitlines()) == 1 and "header" in result.stderr


def test_a_german_excel_fare_table_in_windows_1252_is_read(fares, tmp_path):
    """Windows-1252, `sep=;`, `;`: read by the same reader as invoices (voucher/tabular.py)."""
    rows = ["sep=;", "zone;origin;destination;fare_class;price_cents;valid_from;valid_to",
            ";Musterstadt Hbf;Jobcenter Süd;2;290;2026-01-01;"]
    (tmp_path / "excel.csv").write_bytes(("\r\n".join(rows) + "\r\n").encode("cp1252"))
    imported = fares("import", str(tmp_path / "excel.csv"))
    assert imported.returncode == 0, imported.stderr
    assert "Jobcenter Süd" in fares("list").stdout
