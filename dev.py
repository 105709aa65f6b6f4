#!/usr/bin/env python3
"""Set up and run the project from a fresh clone with nothing but python3.

    python3 dev.py demo          # install, create demo data and keys, serve on http://127.0.0.1:8000
    python3 dev.py test          # install (Chromium via apt if missing), lint, run every test, then
                                 # the non-browser tests on the lowest versions pyproject.toml allows
    python3 dev.py test --fast   # SQLite only, no browser, no drills: the lane before each commit
    python3 dev.py test ARGS...  # pytest with these arguments (a file, -k, ...)
    python3 dev.py lint          # ruff and mypy, as CI runs them

Everything lands in .venv/ (Python packages) and instance/ + keys/ (demo data, dev keys);
nothing is started that is not stopped again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / "bin" / "python"
LOWEST = ROOT / ".venv-lowest"
NOT_SLOW = ["-m", "not browser and not slow", "-n", "2"]
SQLITE_ONLY = {"VOUCHER_TEST_BACKENDS": "sqlite"}  # the fast lane: CI runs PostgreSQL too
CHROMIUM = Path("/usr/bin/chromium")
NGINX = VENV / "nginx" / "usr" / "sbin" / "nginx"


def sh(*args: str | Path, **kwargs) -> None:
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT, **kwargs)


def venv(extras: str) -> None:
    stamp = VENV / f".installed-{extras}"
    pyproject = ROOT / "pyproject.toml"
    if stamp.exists() and stamp.stat().st_mtime >= pyproject.stat().st_mtime:
        return
    if not PY.exists():
        sh(sys.executable, "-m", "venv", VENV)
    sh(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    sh(PY, "-m", "pip", "install", "--quiet", "-e", f".[{extras}]")
    stamp.touch()


def chromium() -> None:
    """Debian's Chromium for the browser tests (Playwright never downloads a browser here)."""
    if CHROMIUM.exists():
        return
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        sys.exit("dev.py: the browser tests need /usr/bin/chromium: run 'apt-get install chromium' as root")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    sh("apt-get", "update", "-qq", env=env)
    sh("apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium", env=env)


def nginx() -> None:
    """Debian's nginx binary unpacked into .venv/nginx (not installed, never started), so
    tests/test_deploy.py can run `nginx -t` on deploy/nginx/. Where apt is missing or the
    download fails, that test reads the files instead."""
    if shutil.which("nginx") or NGINX.exists() or not (shutil.which("apt-get") and shutil.which("dpkg")):
        return
    folder = NGINX.parents[2]
    folder.mkdir(parents=True, exist_ok=True)
    fetched = subprocess.run(["apt-get", "download", "-qq", "nginx"], cwd=folder, capture_output=True, check=False)
    for deb in folder.glob("nginx_*.deb"):
        subprocess.run(["dpkg", "-x", str(deb), str(folder)], check=fetched.returncode == 0)
        deb.unlink()


def demo() -> None:
    venv("test")
    voucher = VENV / "bin" / "voucher"
    port = os.environ.get("PORT", "8000")
    sh(voucher, "demo", "--base-url", f"http://127.0.0.1:{port}")
    os.execv(voucher, [str(voucher), "serve", "--host", "127.0.0.1", "--port", port])


def pytest(python: Path, args: list[str], env: dict[str, str] | None = None) -> None:
    result = subprocess.run([str(python), "-m", "pytest", *args], cwd=ROOT, env={**os.environ, **(env or {})})
    if result.returncode:
        sys.exit(result.returncode)


def lint() -> None:
    venv("test")
    sh(VENV / "bin" / "ruff", "check", ".")
    sh(VENV / "bin" / "mypy")


def lowest() -> None:
    """The fast lane on the lowest versions pyproject.toml allows (uv's lowest-direct resolution):
    a lower bound that does not work fails here instead of on an operator's machine."""
    venv("test")
    stamp = LOWEST / ".installed"
    if not (stamp.exists() and stamp.stat().st_mtime >= (ROOT / "pyproject.toml").stat().st_mtime):
        uv = VENV / "bin" / "uv"
        sh(uv, "venv", "--quiet", "--allow-existing", "--python", sys.executable, LOWEST)
        sh(uv, "pip", "install", "--quiet", "--python", LOWEST / "bin" / "python",
           "--resolution", "lowest-direct", "-e", ".[test]")
        stamp.touch()
    pytest(LOWEST / "bin" / "python", NOT_SLOW)  # both databases: psycopg's lower bound counts too


def test(args: list[str]) -> None:
    venv("test")
    if args == ["--fast"]:
        pytest(PY, NOT_SLOW, SQLITE_ONLY)
        return
    if args:
        chromium()
        pytest(PY, args)
        return
    chromium()
    nginx()
    lint()
    pytest(PY, ["-m", "not browser", "-n", "2"])  # both cores; each worker has its own schema and files
    pytest(PY, ["-m", "browser"])  # one Chromium at a time: the screenshots in docs/ are shared
    lowest()


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "demo":
        demo()
    elif command == "test":
        test(sys.argv[2:])
    elif command == "lint":
        lint()
    elif command == "lowest":
        lowest()
    else:
        sys.exit(__doc__)
