"""Run every benchmark and rewrite docs/BENCHMARKS.md (median of several runs each).

    .venv/bin/python -m bench.run
"""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from bench import fuzz, http, issuing, letters, revocations, robustness, token, verifier

OUT = Path(__file__).resolve().parent.parent / "docs" / "BENCHMARKS.md"
SUITES = [token, issuing, letters, robustness, revocations, verifier, http, fuzz]


def machine() -> str:
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor() or "unknown CPU"
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def main() -> None:
    rows = [row for suite in SUITES for row in suite.run()]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    if subprocess.run(["git", "diff", "--quiet", "HEAD", "--", "voucher", "bench"]).returncode:
        commit += " with uncommitted changes"
    lines = [
        "# Benchmarks", "",
        f"Written by `.venv/bin/python -m bench.run` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit}.",
        f"Machine: {machine()}.",
        "Each figure is the median of the runs its module states (bench/<module>.py says what is measured and how).",
        "The HTTP figures need `wrk` (`apt-get install wrk`) and the PostgreSQL server on 127.0.0.1:5432.", "",
        "| what | result |", "|---|---|",
        *(f"| {what} | {result} |" for what, result in rows), "",
    ]
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
