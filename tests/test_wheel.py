"""The package as an operator installs it: `python -m build`, the wheel into a fresh virtual
environment, run from a folder that is not the checkout. Templates, migrations, static files and
fonts must travel inside the wheel; a file that only exists in the checkout fails here."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path
from urllib.parse import urljoin

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, headers: dict | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _installer() -> list[str]:
    """uv when the test environment has it (seconds), else pip (a minute from its cache)."""
    uv = shutil.which("uv", path=str(Path(sys.executable).parent))
    return [uv, "pip", "install", "-q"] if uv else []


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel built from this checkout, and the sdist beside it."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True)
    wheels = list(out.glob("voucher-*.whl"))
    assert len(wheels) == 1 and list(out.glob("voucher-*.tar.gz")), sorted(p.name for p in out.iterdir())
    venv = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    installer = _installer()
    if installer:
        subprocess.run([*installer, "--python", str(python), str(wheels[0])], check=True)
    else:
        subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheels[0])], check=True)
    return venv


def test_the_installed_wheel_serves_its_pages_and_writes_a_letter(installed, tmp_path):
    workdir = tmp_path / "elsewhere"  # not the checkout: nothing may be found relative to it
    workdir.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VOUCHER_", "DATABASE_URL", "PYTHON"))}
    env |= {"VOUCHER_DATA_DIR": str(workdir / "data"), "VOUCHER_KEYS_DIR": str(workdir / "keys")}
    voucher = str(installed / "bin" / "voucher")

    def run(*args: str) -> str:
        done = subprocess.run([voucher, *args], cwd=workdir, env=env, capture_output=True, text=True)
        assert done.returncode == 0, (args, done.stderr)
        return done.stdout

    init = run("init")
    tokens = dict(line.split(" ", 1) for line in init.splitlines())
    day = date.today().isoformat()
    issued = run("issue", "--holder-name", "Ada Muster", "--valid-from", day, "--valid-until", day, "--zone", "AB", "--cost-center", "JC-1")
    voucher_id = json.loads(issued)["id"]

    port = _free_port()
    server = subprocess.Popen([voucher, "serve", "--port", str(port), "--workers", "1"],
                              cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if _get(base + "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the installed server did not start: " + server.stderr.read().decode())
        assets: set[str] = set()
        for page in ("/", "/sign-in", "/verify/"):
            status, body = _get(base + page)
            assert status == 200, (page, body[:300])
            for ref in re.findall(r'(?:src|href)="([^"#][^"]*)"', body.decode()):
                url = urljoin(base + page, ref)
                if url.startswith(base) and re.search(r"\.(js|css|png|svg|webmanifest|wasm)$", url):
                    assets.add(url)
        status, worker = _get(base + "/verify/sw.js")  # the verifier's offline files, module imports included
        assert status == 200
        precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", worker.decode(), re.S).group(1))
        assets |= {urljoin(base + "/verify/", ref) for ref in precache}
        assert any(a.endswith("/staff.css") for a in assets) and any(a.endswith("/app.js") for a in assets), assets
        for asset in sorted(assets):
            assert _get(asset)[0] == 200, asset
        status, pdf = _get(f"{base}/api/v1/vouchers/{voucher_id}/letter.pdf",
                           {"Authorization": f"Bearer {tokens['issuer']}"})
        assert status == 200 and pdf.startswith(b"%PDF"), pdf[:200]
    finally:
        server.terminate()
        server.wait(timeout=30)
