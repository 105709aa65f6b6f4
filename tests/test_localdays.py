"""The office's calendar day computed in SQL is the day zoneinfo gives, on both backends, through
every clock change of a year (also the half-hour ones of Lord Howe Island)."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, select

from voucher.services.localdays import Period, local_day
from voucher.store import UTCDateTime

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC"]


def days_in_sql(database, period: Period, moments, shift=timedelta(0)) -> list[date]:
    table = Table("moments", MetaData(), Column("n", Integer, primary_key=True), Column("moment", UTCDateTime()),
                  prefixes=["TEMPORARY"])
    with database.engine.connect() as conn:
        table.create(conn)
        conn.execute(table.insert(), [{"n": n, "moment": m} for n, m in enumerate(moments)])
        found = list(conn.scalars(select(local_day(table.c.moment, period, conn.dialect.name, shift)).order_by(table.c.n)))
        conn.rollback()
    return found


@pytest.mark.parametrize("zone", ZONES)
def test_every_half_hour_of_a_year_falls_on_zoneinfos_day(database, zone):
    period = Period(date(2026, 1, 1), date(2026, 12, 31), ZoneInfo(zone))
    moments = [period.start + timedelta(minutes=30 * n) for n in range(int((period.end - period.start).total_seconds()) // 1800)]
    assert days_in_sql(database, period, moments) == [m.astimezone(period.tz).date() for m in moments]


@pytest.mark.parametrize("zone", ZONES)
def test_an_exclusive_end_at_local_midnight_belongs_to_the_day_before(database, zone):
    period = Period(date(2026, 1, 1), date(2026, 12, 31), ZoneInfo(zone))
    ends = [Period(day, day, period.tz).end for day in (period.first + timedelta(days=n) for n in range(365))]
    assert days_in_sql(database, period, ends, shift=-timedelta(seconds=1)) == [
        (end - timedelta(seconds=1)).astimezone(period.tz).date() for end in ends]
