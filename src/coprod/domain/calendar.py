"""The planning calendar: a start date, a number of periods, weekly or monthly buckets.

Periods are named by the ISO date of their first day. Any date inside a period maps to that
period, so a requirement due on 2026-05-15 in a monthly calendar is due in period 2026-05-01.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Calendar", "Granularity"]


class Granularity(StrEnum):
    WEEK = "week"
    MONTH = "month"


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + (day.month - 1) + months
    return dt.date(index // 12, index % 12 + 1, 1)


class Calendar(BaseModel):
    """Time buckets of the plan."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: dt.date = Field(description="First day of the first period")
    periods: int = Field(ge=1, le=520, description="Number of periods in the horizon")
    granularity: Granularity = Field(default=Granularity.MONTH, description="week or month")

    @cached_property
    def starts(self) -> tuple[dt.date, ...]:
        """First day of every period, plus the day after the horizon."""
        if self.granularity is Granularity.WEEK:
            return tuple(self.start + dt.timedelta(weeks=i) for i in range(self.periods + 1))
        first = self.start.replace(day=1)
        return (self.start, *(_add_months(first, i) for i in range(1, self.periods + 1)))

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(d.isoformat() for d in self.starts[: self.periods])

    def label(self, index: int) -> str:
        return self.starts[index].isoformat()

    def index_of(self, day: dt.date) -> int:
        """Index of the period containing `day`; -1 before the horizon, `periods` after."""
        if day < self.starts[0]:
            return -1
        if day >= self.starts[-1]:
            return self.periods
        if self.granularity is Granularity.WEEK:
            return (day - self.start).days // 7
        return (day.year * 12 + day.month) - (self.start.year * 12 + self.start.month)

    @property
    def end(self) -> dt.date:
        """The day after the last period."""
        return self.starts[-1]
