"""The fiscal calendar: quarters start in the month OSP_FISCAL_YEAR_START_MONTH."""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone


@dataclass(frozen=True)
class FiscalQuarter:
    year: int  # the fiscal year is named by the calendar year in which it ends
    quarter: int
    start: datetime.date
    end: datetime.date  # inclusive

    def __contains__(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    def __str__(self):
        return f"FY{self.year} Q{self.quarter}"


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def fiscal_quarter(day: datetime.date | None = None,
                   start_month: int | None = None) -> FiscalQuarter:
    day = day or timezone.localdate()
    start_month = start_month or settings.OSP_FISCAL_YEAR_START_MONTH
    months_in = (day.month - start_month) % 12
    fy_start_year = day.year if day.month >= start_month else day.year - 1
    q = months_in // 3
    qy, qm = _add_months(fy_start_year, start_month, q * 3)
    ny, nm = _add_months(qy, qm, 3)
    fiscal_year = fy_start_year + (1 if start_month != 1 else 0)
    return FiscalQuarter(fiscal_year, q + 1, datetime.date(qy, qm, 1),
                         datetime.date(ny, nm, 1) - datetime.timedelta(days=1))


def fiscal_year_start(day: datetime.date | None = None,
                      start_month: int | None = None) -> datetime.date:
    day = day or timezone.localdate()
    start_month = start_month or settings.OSP_FISCAL_YEAR_START_MONTH
    year = day.year if day.month >= start_month else day.year - 1
    return datetime.date(year, start_month, 1)


@dataclass(frozen=True)
class Period:
    """A fiscal quarter or a whole fiscal year."""

    label: str  # "FY2027 Q1" or "FY2027"
    start: datetime.date
    end: datetime.date  # inclusive

    def __contains__(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    def __str__(self):
        return self.label


def fiscal_year_period(year: int, start_month: int | None = None) -> Period:
    start_month = start_month or settings.OSP_FISCAL_YEAR_START_MONTH
    first = datetime.date(year if start_month == 1 else year - 1, start_month, 1)
    ny, nm = _add_months(first.year, first.month, 12)
    return Period(f"FY{year}", first, datetime.date(ny, nm, 1) - datetime.timedelta(days=1))


def read_period(value: str | None) -> Period | None:
    """"FY2027", "FY2027 Q1" or "FY2027Q1"; None when it is none of these, or a year the
    calendar cannot hold (FY0000, FY9999 with a year starting in April)."""
    match = re.fullmatch(r"FY(\d{4})(?:\s*Q([1-4]))?", (value or "").strip().upper())
    if not match:
        return None
    try:
        year = fiscal_year_period(int(match.group(1)))
    except (ValueError, OverflowError):
        return None
    if match.group(2) is None:
        return year
    quarter = fiscal_quarter(datetime.date(*_add_months(year.start.year, year.start.month,
                                                        3 * (int(match.group(2)) - 1)), 1))
    return Period(str(quarter), quarter.start, quarter.end)


def parse_period(value: str | None, today: datetime.date | None = None) -> Period:
    """As read_period; anything else is the current quarter."""
    period = read_period(value)
    if period is None:
        q = fiscal_quarter(today)
        return Period(str(q), q.start, q.end)
    return period
