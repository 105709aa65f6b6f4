"""The verifier page for staff devices (/verify/): a PWA of plain JS modules in static/, checked
against the same test vectors as voucher.token.format. Its words come from gettext catalogues
(catalogue.py), served as one JSON document per language. The service worker's cache name carries a
digest of everything it caches: every static file and catalogue, and the page as rendered, with the
security headers it is served with (a cached page keeps the headers it was cached with). A
deployment that changes any of them, the template alone included, replaces what devices cached."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, jsonify, redirect, render_template, send_from_directory

from ..security import CSP
from . import catalogue

STATIC = Path(__file__).resolve().parent / "static"
LANGUAGES = catalogue.load()
# Everything the page needs offline, relative to /verify/: every language, so a device switched
# to one while offline still has it.
PRECACHE = ["./", "manifest.webmanifest"] + [f"i18n/{code}.json" for code in LANGUAGES] + sorted(
    f"static/{p.relative_to(STATIC).as_posix()}" for p in STATIC.rglob("*")
    if p.is_file() and p.suffix in {".js", ".css", ".png", ".wasm", ".webmanifest"} and p.name != "sw.js"
)

bp = Blueprint("verifier", __name__, url_prefix="/verify", static_folder=str(STATIC), static_url_path="/static")


def _static_digest() -> bytes:
    digest = hashlib.sha256()
    for path in sorted(STATIC.rglob("*")) + sorted(catalogue.LOCALE.rglob("*.po*")):
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.digest()


STATIC_DIGEST = _static_digest()  # the files change only with a deployment (a restart)


def version() -> str:
    """The cache's version: the static files, the rendered page and its Content-Security-Policy."""
    digest = hashlib.sha256(STATIC_DIGEST)
    digest.update(render_template("verifier/index.html").encode())
    digest.update(CSP.encode())
    return digest.hexdigest()[:12]


@bp.get("")
def bare():
    return redirect("/verify/", code=308)


@bp.get("/")
def page():
    return render_template("verifier/index.html", languages=LANGUAGES.values())


@bp.get("/i18n/<code>.json")
def texts(code: str):
    if code not in LANGUAGES:
        abort(404)
    return jsonify(LANGUAGES[code].document())


@bp.get("/manifest.webmanifest")
def manifest():
    return send_from_directory(STATIC, "manifest.webmanifest", mimetype="application/manifest+json")


@bp.get("/sw.js")
def service_worker():
    script = (STATIC / "sw.js").read_text(encoding="utf-8")
    script = script.replace("__VERSION__", version()).replace('"__PRECACHE__"', repr(PRECACHE).replace("'", '"'))
    return Response(script, mimetype="text/javascript", headers={"Cache-Control": "no-cache"})


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
