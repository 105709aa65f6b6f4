"""The demo month, planned from one moment (the anchor) and a fixed seed: the same anchor always
gives the same letters, scans, cancellations and re-issues, so seeding again replays them (same
references, same client ids) and changes nothing.

The month: appointments on the weekdays of the 30 days up to the anchor and of the next
UPCOMING days, each letter issued LEAD days before in the letter system's morning batch; most
holders travel (a third with a return trip), some never do (expired unused), some cancel or get
a new date at the counter. Special cases, all in the second half of the month (the demo
invoice's part): a double use, a journey after a cancellation, a scan a day late, a device whose
clock runs a day ahead, a route without any fare, and a damaged code. The reception's device
(RECEPTION_DEVICE, purpose reception) scans most holders who travelled, and a few who came on
foot, a few minutes before their appointment: attendances, never journeys."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = 30
LEAD = 10  # the letter goes out this many days before the appointment
UPCOMING = LEAD  # appointments ahead whose letters are out already
SEED = 4711
RECEPTION_DEVICE = "empfang-nord"  # enrolled with purpose reception (services/purposes.py)
RECEPTION_LOCATION = "Empfang Jobcenter"
ISSUER = "issuer:letters"  # the letter system's API client
COUNTER = "user:schalter"  # the demo's caseworker
CENTERS = ("KST-4711", "KST-4712", "KST-4720", "KST-4730", "KST-5100")
LANGUAGES = ("de",) * 14 + ("en", "en", "tr", "tr", "ar", "ar", "uk", "uk", "ru", "pl", "fa", "ro", "bg", "de-x-ls")
FIRST = ("Ayşe", "Mohammed", "Łukasz", "Olena", "Jana", "Murat", "Sabine", "Karim", "Fatma", "Dmytro", "Elena",
         "Hassan", "Zofia", "Thomas", "Mariana", "Ahmad", "Leyla", "Jonas", "Irina", "Bogdan", "Amina", "Kevin",
         "Svetlana", "Yusuf", "Petra", "Nadia", "Emre", "Maria", "Reza", "Ana")
LAST = ("Yılmaz", "Al-Hassan", "Wiśniewski", "Kovalenko", "Nováková", "Demir", "Wolf", "Haddad", "Kaya",
        "Shevchenko", "Popescu", "Rahimi", "Łukasiewicz", "Becker", "Ionescu", "Sultani", "Aydın", "Weber",
        "Petrova", "Georgiev", "Osman", "Schmidt", "Iwanowa", "Çelik", "Krüger", "Mansour", "Öztürk", "Santos",
        "Karimi", "Horvat")
STREETS = ("Lindenweg", "Bahnhofstraße", "Am Markt", "Gartenstraße", "Schulweg", "Birkenallee", "Mühlenstraße")


@dataclass(frozen=True)
class Route:
    origin: str | None
    destination: str | None
    zone: str | None
    device: str  # the verifier device on that line
    location: str


ROUTES = (
    Route("Musterstadt Hbf", "Jobcenter Nord", None, "bus-142", "Bus 142"),
    Route("Dorfstraße", "Jobcenter Nord", None, "bus-17", "Bus 17"),
    Route("Am Markt", "Jobcenter West", None, "bus-23", "Bus 23"),
    Route(None, None, "A", "tram-4", "Straßenbahn 4"),
    Route(None, None, "AB", "bus-142", "Bus 142"),
    Route(None, None, "ABC", "re-7", "RE 7 Zugbegleitung"),
)
NO_FARE_ROUTE = Route("Waldweg", "Jobcenter Nord", None, "bus-17", "Bus 17")  # in no fare table
# The office's fare table (per person and journey); the demo imports it when the office has none.
FARES = (("A", None, None, 2, 290), ("AB", None, None, 2, 380), ("ABC", None, None, 2, 520), ("A", None, None, 1, 470),
         ("AB", None, None, 1, 610), ("ABC", None, None, 1, 840),
         (None, "Musterstadt Hbf", "Jobcenter Nord", 2, 320), (None, "Dorfstraße", "Jobcenter Nord", 2, 260),
         (None, "Am Markt", "Jobcenter West", 2, 240), (None, "Musterstadt Hbf", "Jobcenter Nord", 1, 540))
CANCEL_REASONS = ("Termin abgesagt", "Kunde hat Arbeit gefunden", "Umzug in einen anderen Kreis", "Termin abgesagt (krank)")
_IDS = uuid.UUID("6f1c2b0e-2d4a-4c55-9b1e-5a8f0d3e7c21")  # namespace of the demo's client ids


@dataclass
class Letter:
    number: int
    ref: str  # external_ref: a replayed seed finds the voucher by it
    fields: dict  # the issue request, without the validity window
    day: date  # the appointment's day (first valid day)
    last_day: date
    issued_at: datetime
    appointment: datetime
    route: Route
    replaces: int | None = None  # the letter number this one re-issues


@dataclass
class Scan:
    letter: int | None  # None: a damaged code, scanned as it was read
    device: str
    location: str
    at: datetime  # as the device recorded it
    synced_at: datetime | None = None  # when the device uploaded it (set by plan())
    client_id: str = ""


@dataclass
class Cancel:
    letter: int
    at: datetime
    reason: str


@dataclass
class Plan:
    anchor: datetime
    tz: ZoneInfo
    letters: dict[int, Letter] = field(default_factory=dict)
    scans: list[Scan] = field(default_factory=list)
    cancels: list[Cancel] = field(default_factory=list)
    # The special cases by name (a letter number each), for the demo invoice and the tests.
    special: dict[str, int] = field(default_factory=dict)

    @property
    def today(self) -> date:
        return self.anchor.astimezone(self.tz).date()

    @property
    def first_day(self) -> date:
        return self.today - timedelta(days=DAYS - 1)

    @property
    def second_half(self) -> date:
        """The first day that only the demo invoice bills (the month's first half is invoiced)."""
        return self.today - timedelta(days=DAYS // 2 - 1)

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), self.tz)

    def sync_time(self, day: date) -> datetime:
        """When a device uploads the day's scans: in the evening, or now for today."""
        return min(self.at(day, 18, 30), self.anchor)


def plan(anchor: datetime, tz: ZoneInfo) -> Plan:
    month = Plan(anchor, tz)
    rng = random.Random(SEED)
    _letters(month, rng)
    _counter(month, rng)
    _travel(month, rng)
    _specials(month, rng)
    _reception(month, random.Random(SEED + 1))  # its own draws: the journeys stay as they were
    for index, scan in enumerate(month.scans):
        scan.client_id = str(uuid.uuid5(_IDS, f"{anchor.isoformat()}/{index}"))
        scan.synced_at = scan.synced_at or month.sync_time(scan.at.astimezone(tz).date())
    return month


def _letters(month: Plan, rng: random.Random) -> None:
    day = month.first_day
    number = 0
    while day <= month.today + timedelta(days=UPCOMING):
        issued = month.at(day - timedelta(days=LEAD), 7, 30)
        if day.weekday() < 5 and issued <= month.anchor:
            for slot in sorted(rng.sample(range(16), rng.randint(9, 13))):
                number += 1
                month.letters[number] = _letter(month, rng, number, day, month.at(day, 8 + slot // 2, 30 * (slot % 2)), issued)
        day += timedelta(days=1)


def _letter(month: Plan, rng: random.Random, number: int, day: date, appointment: datetime, issued: datetime,
            route: Route | None = None) -> Letter:
    route = route or rng.choice(ROUTES)
    travellers = 2 if rng.random() < 0.08 else 1
    fields = {
        "holder_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "cost_center": rng.choice(CENTERS), "language": rng.choice(LANGUAGES), "travellers": travellers,
        "fare_class": 1 if rng.random() < 0.04 else 2, "return_trip": rng.random() < 0.35,
        "customer_ref": f"PSN-{rng.randint(10000, 99999)}",
        "appointment_place": "Jobcenter West, Erdgeschoss" if route.destination == "Jobcenter West" else "Jobcenter Nord, Raum 2.14",
        "recipient_address": [f"{rng.choice(STREETS)} {rng.randint(1, 80)}", "12345 Musterstadt"],
    }
    if route.zone:
        fields["zone"] = route.zone
    else:
        fields.update(origin=route.origin, destination=route.destination)
    if rng.random() < 0.35:  # the caseworker set a maximum fare
        fields["max_fare_cents"] = rng.choice((480, 560, 650, 720)) * travellers
    return Letter(number, f"demo-{number:04d}", fields, day, day, issued, appointment, route)


def _counter(month: Plan, rng: random.Random) -> None:
    """Cancellations and re-issues at the counter, a few days after the letter went out."""
    candidates = [n for n, letter in month.letters.items()
                  if month.today - timedelta(days=20) <= letter.day <= month.today + timedelta(days=6)]
    picked = rng.sample(candidates, 14)
    for number in picked[:8]:
        letter = month.letters[number]
        when = letter.issued_at + timedelta(days=3, hours=3)
        if when < min(letter.appointment, month.anchor):
            month.cancels.append(Cancel(number, when, rng.choice(CANCEL_REASONS)))
    for index, number in enumerate(picked[8:], 1):
        old = month.letters[number]
        when = old.issued_at + timedelta(days=2, hours=4)
        if when >= min(old.appointment, month.anchor):
            continue
        new_day = old.day + timedelta(days=rng.randint(2, 5))
        while new_day.weekday() >= 5:
            new_day += timedelta(days=1)
        new = _letter(month, rng, 9000 + index, new_day, month.at(new_day, old.appointment.astimezone(month.tz).hour), when,
                      old.route)
        new.fields.update(holder_name=old.fields["holder_name"], language=old.fields["language"],
                          cost_center=old.fields["cost_center"], customer_ref=old.fields["customer_ref"])
        new.ref, new.replaces = f"demo-{number:04d}-neu", number
        month.letters[new.number] = new


def _gone(month: Plan) -> set[int]:
    """Letters that cannot be travelled on: cancelled, or replaced by a new one."""
    return {c.letter for c in month.cancels} | {letter.replaces for letter in month.letters.values() if letter.replaces}


def _travel(month: Plan, rng: random.Random) -> None:
    """Most holders travel to their appointment (and back, with a return trip)."""
    gone = _gone(month)
    for letter in month.letters.values():
        if letter.number in gone or rng.random() >= 0.82:
            continue
        out = letter.appointment - timedelta(minutes=rng.randint(25, 55))
        back = letter.appointment + timedelta(minutes=rng.randint(70, 130))
        for moment in (out, back) if letter.fields["return_trip"] and rng.random() < 0.85 else (out,):
            if moment < month.anchor:
                month.scans.append(Scan(letter.number, letter.route.device, letter.route.location, moment))


def _reception(month: Plan, rng: random.Random) -> None:
    """Arrivals at the reception: most who travelled, a few who came on foot, 2-12 minutes before
    the appointment; uploaded with the journeys in the evening."""
    gone = _gone(month)
    travelled = {s.letter for s in month.scans if s.letter is not None}
    for number, letter in month.letters.items():
        chance = 0.9 if number in travelled else 0.15
        arrived = letter.appointment - timedelta(minutes=rng.randint(2, 12))
        if number not in gone and rng.random() < chance and arrived < month.anchor:
            month.scans.append(Scan(number, RECEPTION_DEVICE, RECEPTION_LOCATION, arrived))


def _specials(month: Plan, rng: random.Random) -> None:
    """The cases finance must see, each on a letter of its own in the month's second half."""
    used = {s.letter for s in month.scans}
    gone = _gone(month)
    plain = [n for n, letter in month.letters.items()
             if n < 9000 and n not in gone and month.second_half <= letter.day <= month.today - timedelta(days=3)]
    rng.shuffle(plain)
    single = [n for n in plain if n in used and not month.letters[n].fields["return_trip"]]
    unused = [n for n in plain if n not in used]
    take = lambda pool: pool.pop()  # noqa: E731 - one letter per case, never two cases on one

    double = take(single)  # a second scan on another bus: one journey allowed
    letter = month.letters[double]
    month.scans.append(Scan(double, "bus-17", "Bus 17", letter.appointment + timedelta(minutes=95)))

    after = take(single)  # cancelled in the morning; the tram's device was offline and let them ride
    letter = month.letters[after]
    month.cancels.append(Cancel(after, month.at(letter.day, 6, 50), "Termin abgesagt (telefonisch)"))
    for scan in month.scans:
        if scan.letter == after:
            scan.device, scan.location = "tram-4", "Straßenbahn 4"

    late = take(unused)  # scanned the day after its only valid day
    month.scans.append(Scan(late, "bus-142", "Bus 142", month.at(month.letters[late].day + timedelta(days=1), 8, 20)))

    ahead = take(single)  # valid two days; the device's clock runs a day ahead
    letter = month.letters[ahead]
    letter.last_day = letter.day + timedelta(days=1)
    for scan in month.scans:
        if scan.letter == ahead:
            scan.synced_at = month.sync_time(letter.day)
            scan.at += timedelta(days=1)

    no_fare = take(single)  # a route in no fare table, and no maximum fare
    letter = month.letters[no_fare]
    letter.route = NO_FARE_ROUTE
    letter.fields.pop("zone", None)
    letter.fields.pop("max_fare_cents", None)
    letter.fields.update(origin=NO_FARE_ROUTE.origin, destination=NO_FARE_ROUTE.destination)
    for scan in month.scans:
        if scan.letter == no_fare:
            scan.device, scan.location = NO_FARE_ROUTE.device, NO_FARE_ROUTE.location

    # A photocopied letter whose code no longer verifies.
    month.scans.append(Scan(None, "bus-17", "Bus 17", month.at(month.today - timedelta(days=5), 9, 40)))
    month.special.update(double_use=double, after_cancellation=after, late_scan=late, clock_ahead=ahead,
                         no_fare=no_fare, unused=take(unused))
