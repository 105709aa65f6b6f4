"""Run the benchmarks and rewrite docs/BENCHMARKS.md (median of several runs each).

    .venv/bin/python -m bench.run                 # every suite
    .venv/bin/python -m bench.run letters http    # only these; the other sections stay as they were

Each suite has its own section with the machine, date and commit it was measured on, so a
figure always says where it came from even when suites are re-run one at a time.
"""

from __future__ import annotations

import importlib
import os
import platform
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "docs" / "BENCHMARKS.md"
# In this order in BENCHMARKS.md; each is bench/<name>.py with a run() -> [(what, result), ...].
SUITES = ["token", "issuing", "letters", "robustness", "revocations", "verifier", "scan", "http", "fuzz", "invoices",
          "reconciliation", "soak"]
HEADER = [
    "# Benchmarks", "",
    "Written by `.venv/bin/python -m bench.run [SUITE ...]`; each section says when, on which commit",
    "and on which machine its figures were measured. Each figure is the median of the runs its module",
    "states (bench/<suite>.py says what is measured and how). The HTTP figures need `wrk`",
    "(`apt-get install wrk`) and the PostgreSQL server on 127.0.0.1:5432 (so does the soak); the scan figures need npm",
    "(jsQR, for comparison only, is installed into bench/node_modules).", "",
]


def machine() -> str:
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor() or "unknown CPU"
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def commit() -> str:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    if subprocess.run(["git", "diff", "--quiet", "HEAD", "--", "voucher", "bench"]).returncode:
        head += " with uncommitted changes"
    return head


def section(name: str) -> str:
    rows = importlib.import_module(f"bench.{name}").run()
    return "\n".join([
        f"## {name}", "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit()}, on {machine()}.", "",
        "| what | result |", "|---|---|",
        *(f"| {what} | {result} |" for what, result in rows), "",
    ])


def sections(text: str) -> dict[str, str]:
    """The sections of an existing BENCHMARKS.md by suite name."""
    parts = re.split(r"^(?=## )", text, flags=re.M)
    return {part.split()[1]: part.rstrip() + "\n" for part in parts if part.startswith("## ")}


def main(names: list[str]) -> None:
    unknown = [name for name in names if name not in SUITES]
    if unknown:
        sys.exit(f"bench.run: unknown suite {', '.join(unknown)}; choose from {', '.join(SUITES)}")
    kept = sections(OUT.read_text(encoding="utf-8")) if OUT.exists() else {}
    for name in names or list(SUITES):
        kept[name] = section(name)
        print(kept[name])
    body = [kept[name] for name in SUITES if name in kept]
    OUT.write_text("\n".join(HEADER) + "\n" + "\n".join(body), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
