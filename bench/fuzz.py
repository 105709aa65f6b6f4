"""The mutation fuzz test (tests/test_fuzz.py) at 100,000 examples: no forged or mutated code verifies."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

EXAMPLES = 100_000
ROOT = Path(__file__).resolve().parent.parent


def run() -> list[tuple[str, str]]:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_fuzz.py"],
                            cwd=ROOT, env={**os.environ, "VOUCHER_FUZZ_EXAMPLES": str(EXAMPLES)},
                            capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    passed = result.returncode == 0 and re.search(r"\b1 passed\b", result.stdout)
    verdict = "none verified" if passed else "FAILED: " + result.stdout[-300:]
    return [(f"Fuzz: {EXAMPLES:,} mutated codes (bit flips, cuts, inserts, character swaps)", f"{verdict} ({elapsed:.0f} s)")]
