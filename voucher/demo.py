"""Demo data for `python3 dev.py demo`: tokens and a few vouchers valid today."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from .config import Settings
from .keys import KeyStore
from .schemas import IssueRequest
from .services import clients, revocation
from .services.issuing import IssuingService

DEMO_VOUCHERS = [
    {"holder_name": "Ayşe Yılmaz", "origin": "Musterstadt Hbf", "destination": "Jobcenter Nord",
     "return_trip": True, "cost_center": "KST-4711", "max_fare_cents": 560, "language": "de"},
    {"holder_name": "Mohammed Al-Hassan", "zone": "AB", "travellers": 2, "cost_center": "KST-4712",
     "language": "en"},
    {"holder_name": "Łukasz Wiśniewski", "origin": "Dorfstraße", "destination": "Jobcenter Nord",
     "cost_center": "KST-4711", "language": "de"},
]


def seed(session: Session, keystore: KeyStore, settings: Settings, base_url: str, now: datetime) -> str:
    """Issue the demo vouchers (idempotently) and return what to tell the person at the terminal."""
    today = now.astimezone(settings.timezone).date().isoformat()
    tokens = {role: clients.create_token(session, role, f"demo-{role}", now) for role in clients.ROLES}
    session.commit()
    service = IssuingService(session, keystore, settings)
    issued = []
    for number, fields in enumerate(DEMO_VOUCHERS, 1):
        request = IssueRequest.model_validate(
            {**fields, "valid_from": today, "valid_until": today, "external_ref": f"demo-{number}"},
            context={"tz": settings.timezone},
        )
        issued.append(service.issue(request, "demo", now).voucher)
    revocation.revoke(session, issued[-1].id, "demo: appointment cancelled", "demo", now)
    session.commit()
    lines = ["", "Demo tokens (role token):"] + [f"  {r} {t}" for r, t in tokens.items()]
    lines += ["", "Demo vouchers (the last one is revoked):"]
    lines += [f"  {v.id}  {v.holder_name:<22} {base_url}/api/v1/vouchers/{v.id}/letter.pdf" for v in issued]
    lines += ["", "Letters need the issuer token, e.g.:",
              f"  curl -H 'Authorization: Bearer {tokens['issuer']}' -o letter.pdf {base_url}/api/v1/vouchers/{issued[0].id}/letter.pdf",
              "", f"Verifier page:  {base_url}/verify/   (enter the verifier token under Einstellungen)",
              f"Finance page:   {base_url}/finance/  (finance token)",
              f"Trust list:     {base_url}/api/v1/trust-list", f"API document:   {base_url}/api/v1/openapi.json", ""]
    return "\n".join(lines)
