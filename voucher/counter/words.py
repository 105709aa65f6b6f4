"""A voucher's state and history in words a caseworker uses (German or English), from the facts
services/lookup.py gathers: never an API status name or an audit action code."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta

from flask import url_for

from .. import context
from ..letters import texts
from ..services import retirement
from ..services.lookup import Facts
from ..services.purposes import RECEPTION
from ..services.revocation import REPLACED_BY
from ..staff.i18n import clock_time, day, moment, t, t_or
from ..token.codes import short_code


@dataclass(frozen=True)
class Line:
    text: str
    tone: str = "info"  # ok, warn, gone (cancelled, used up, expired) or info
    link: str | None = None  # a voucher the line names
    link_text: str | None = None


def _voucher_link(voucher_id: str) -> tuple[str, str]:
    return url_for("counter.voucher", voucher_id=voucher_id), short_code(voucher_id)


def state(facts: Facts, now: datetime) -> list[Line]:
    """The headline first (what the voucher is now), then what else matters."""
    v, lines = facts.voucher, []
    used = t("journeys_used", used=facts.journeys, allowed=facts.allowed) if facts.journeys else ""
    if facts.replaced_by:
        lines.append(Line(t("state_replaced_by"), "gone", *_voucher_link(facts.replaced_by)))
    elif facts.revocation is not None:
        lines.append(Line(t("state_cancelled", day=day(facts.revocation.revoked_at), reason=facts.revocation.reason), "gone"))
    elif facts.journeys >= facts.allowed:
        lines.append(Line(t("state_used_up", used=used), "gone"))
    elif now >= v.valid_until:
        lines.append(Line(t("state_expired") + (f" – {used}" if used else ""), "gone"))
    elif now < v.valid_from:
        lines.append(Line(t("state_valid_from", day=day(v.valid_from)) + (f" – {used}" if used else ""), "ok"))
    else:
        lines.append(Line(t("state_valid") + (f" – {used}" if used else ""), "ok"))
    if facts.arrived is not None:
        lines.append(arrival(facts.arrived))
    if v.replaces:
        lines.append(Line(t("state_replaces"), "info", *_voucher_link(v.replaces)))
    for flag in facts.flags:
        if flag != "accepted_offline":
            lines.append(Line(t_or(flag, "flag_" + flag), "warn"))
    if v.anonymized_at is not None:
        lines.append(Line(t("state_erased", day=day(v.anonymized_at)), "info"))
    return lines


def arrival(at: datetime) -> Line:
    """"Angekommen 09:24": the holder was scanned at the reception (services/purposes.py)."""
    return Line(t("state_arrived", time=clock_time(at)), "ok")


def history(facts: Facts) -> list[tuple[datetime, str, Line]]:
    """(when, who, what) per audit event. A scan is dated when it was made, not when its device
    uploaded it (that is said in words: "übertragen am …"), and the list is ordered by that."""
    rows = []
    for event in facts.history:
        client_id = (event.detail or {}).get("client_id") if event.action == "redeem" else None
        scan = (facts.scans or {}).get(client_id) if client_id is not None else None
        line = what(event.action, event.detail or {}, facts.revocation.reason if facts.revocation else "")
        if scan is not None:
            line = replace(line, text=f"{line.text} – {t('history_uploaded', moment=moment(scan.received_at))}")
        rows.append((scan.redeemed_at if scan is not None else event.at, who(event.actor), line))
    return sorted(rows, key=lambda row: row[0])


def who(actor: str) -> str:
    """`user:anna` is the person anna; `issuer:letters` an API client; `cli` the command line;
    `key-compromise:1a2b` the re-issue after key 1a2b was compromised (services/retirement.py)."""
    kind, _, name = actor.partition(":")
    if kind == "user":
        return name
    if kind == retirement.REISSUER:
        return t("actor_key_compromise", kid=name)
    if name:
        return t("actor_client", role=t_or(kind, "role_" + kind), name=name)
    return t_or(actor, "actor_" + kind)


def what(action: str, detail: dict, reason: str = "") -> Line:
    """One audit event as a sentence (with a link when it names another voucher)."""
    if action == "issue":
        if detail.get("replaces"):
            return Line(t("history_issued_for"), link=_voucher_link(detail["replaces"])[0],
                        link_text=short_code(detail["replaces"]))
        return Line(t("history_issued"))
    if action == "revoke":
        # The reason is the revocation's (erased by retention), or an older event's own.
        reason = str(detail.get("reason", reason))
        replaced = detail.get("replaced_by") or (reason.removeprefix(REPLACED_BY) if reason.startswith(REPLACED_BY) else None)
        if replaced:
            return Line(t("history_replaced_by"), link=_voucher_link(replaced)[0], link_text=short_code(replaced))
        return Line(t("history_cancelled", reason=reason))
    if action == "redeem":
        outcome = detail.get("outcome", "")
        device = detail.get("device_id", "")
        if outcome == "accepted":
            key = "history_arrived" if detail.get("purpose") == RECEPTION else "history_journey"
            return Line(t(key, device=device), "ok")
        return Line(t("history_refused", device=device, why=t_or(outcome, "outcome_" + outcome)), "warn")
    if action == "reclassify":
        return Line(t("history_reclassified"), "warn")
    if action == "letter":
        return Line(t("history_letter", language=language(detail.get("language", "")) if detail.get("language") else ""))
    if action == "qr":
        return Line(t("history_qr", format=str(detail.get("format", "")).upper()))
    return Line(action)


def language(tag: str) -> str:
    """A letter language as staff read it everywhere: "Arabisch – العربية", and a warning when
    no fluent reviewer has checked its texts yet."""
    name = texts.staff_name(tag)
    return name if texts.reviewed(tag) else f"{name} ({t('translation_unreviewed')})"


def window(voucher) -> str:
    """When the voucher is valid: a day, a range of days, or from–to with times."""
    start, end = voucher.valid_from, voucher.valid_until
    if _midnight(start) and _midnight(end):
        first, last = day(start), day(end - timedelta(minutes=1))
        return first if first == last else f"{first} – {last}"
    return f"{moment(start)} – {moment(end)}"


def _midnight(value: datetime) -> bool:
    return value.astimezone(context.services().settings.timezone).time() == time(0)

