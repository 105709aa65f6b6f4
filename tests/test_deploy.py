"""deploy/: the systemd units and the nginx site are valid for the tools that load them, and say
what the app needs (upload limits of the real upload routes, the verifier's caching rules)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from voucher import create_app, invoice_csv
from voucher.config import Settings
from voucher.serving import TIMEOUT_SECONDS

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").iterdir())
VENV_BIN = Path(sys.executable).parent


def _nginx() -> str | None:
    return shutil.which("nginx") or next((str(p) for p in [ROOT / ".venv/nginx/usr/sbin/nginx"] if p.exists()), None)


def _units_here(tmp_path: Path) -> list[Path]:
    """The units with /opt/voucher/venv pointing at this checkout's virtual environment."""
    copies = []
    for unit in UNITS:
        copy = tmp_path / unit.name
        copy.write_text(unit.read_text(encoding="utf-8").replace("/opt/voucher/venv/bin", str(VENV_BIN)), encoding="utf-8")
        copies.append(copy)
    return copies


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_units_verify_cleanly(tmp_path):
    result = subprocess.run(["systemd-analyze", "verify", *map(str, _units_here(tmp_path))],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0 and result.stderr == "", result.stderr


def _directives(unit: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in unit.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key, []).append(value)
    return found


def test_each_timer_starts_a_voucher_command_that_exists(tmp_path):
    from click.testing import CliRunner

    from voucher.cli import cli

    timers = [u for u in UNITS if u.suffix == ".timer"]
    assert {t.stem for t in timers} == {"voucher-retention", "voucher-backup"}
    for timer in timers:
        assert _directives(timer)["Persistent"] == ["true"]
        service = _directives(DEPLOY / "systemd" / f"{timer.stem}.service")
        command = re.search(r"/voucher (\w+)", service["ExecStart"][0]).group(1)
        assert CliRunner().invoke(cli, [command, "--help"]).exit_code == 0, command


def test_the_app_unit_serves_through_voucher_serve_and_outlives_a_long_request():
    service = _directives(DEPLOY / "systemd" / "voucher.service")
    assert service["ExecStart"][0].startswith("/opt/voucher/venv/bin/voucher serve ")
    assert int(service["TimeoutStopSec"][0].rstrip("s")) > TIMEOUT_SECONDS
    assert service["EnvironmentFile"] == ["/etc/voucher/voucher.env"]


def _site() -> str:
    return (DEPLOY / "nginx" / "voucher.conf").read_text(encoding="utf-8")


def _location(path: str) -> str:
    match = re.search(r"location (?:= )?" + re.escape(path) + r" \{(.*?)\n    \}", _site(), re.DOTALL)
    assert match, path
    return match.group(1)


def test_nginx_lets_the_real_upload_routes_take_50_mb_and_nothing_else(tmp_path):
    app = create_app(Settings(data_dir=tmp_path, keys_dir=tmp_path / "keys"))
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    uploads = re.findall(r"location = (\S+) \{\n        client_max_body_size (\d+)m;", _site())
    assert uploads == [("/api/v1/invoices/match", "50"), ("/finance/invoices", "50")]
    assert all(path in rules for path, _ in uploads) and invoice_csv.MAX_BYTES == 50 * 1024 * 1024
    assert "client_max_body_size 2m;" in _site() and app.config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024


def test_nginx_keeps_the_verifiers_caching_rules():
    assert 'add_header Cache-Control "no-cache" always;' in _location("/verify/sw.js")
    assert "max-age=31536000" in _location("/verify/static/vendor/")
    assert "cache: \"reload\"" in (ROOT / "voucher/verifier/static/sw.js").read_text(encoding="utf-8")


def test_nginx_buffers_for_sync_workers_and_waits_longer_than_gunicorn():
    site = _site()
    assert "proxy_request_buffering on;" in site and "proxy_buffering on;" in site
    assert int(re.search(r"proxy_read_timeout (\d+)s;", site).group(1)) > TIMEOUT_SECONDS
    assert "listen 443 ssl" in site and "return 301 https://" in site


def _self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "vouchers.example.org")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + timedelta(days=1)).sign(key, hashes.SHA256()))
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    return folder / "cert.pem", folder / "key.pem"


@pytest.mark.skipif(_nginx() is None, reason="no nginx (python3 dev.py test unpacks Debian's into .venv/nginx)")
def test_nginx_accepts_the_site(tmp_path):
    cert, key = _self_signed(tmp_path)
    (tmp_path / "voucher-proxy.conf").write_text((DEPLOY / "nginx" / "voucher-proxy.conf").read_text(encoding="utf-8"))
    site = (_site().replace("/etc/nginx/snippets/", f"{tmp_path}/")
            .replace("/etc/ssl/certs/vouchers.example.org.pem", str(cert))
            .replace("/etc/ssl/private/vouchers.example.org.key", str(key)))
    (tmp_path / "site.conf").write_text(site)
    temp = "".join(f"    {kind}_temp_path {tmp_path}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\nhttp {{\n    access_log off;\n{temp}"
        f"    include {tmp_path}/site.conf;\n}}\n")
    result = subprocess.run([_nginx(), "-t", "-p", str(tmp_path), "-e", "stderr", "-c", str(tmp_path / "nginx.conf")],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0 and "test is successful" in result.stderr, result.stderr
    assert "[warn]" not in result.stderr, result.stderr
