"""Exchange rates: what one unit of a partner's currency is worth in the programme's.

A rate (entities.ExchangeRate) is in force from its `valid_from` until the same currency's
next rate. The programme's own currency is always worth 1. Before a currency's first rate
its first rate is used: the checks (checks.py) make sure a rate covers the horizon start
for every currency a record uses, so this only happens for dates before the horizon
(e.g. actuals recorded before it).
"""

from __future__ import annotations

import bisect
import datetime as dt
from typing import Protocol

from coprod.domain.programme import Programme

__all__ = ["Rates", "currency_of", "own_currency"]


class Priced(Protocol):
    @property
    def currency(self) -> str | None: ...


def currency_of(p: Programme, record: Priced) -> str:
    """The currency a record's money is in: its own, or the programme's."""
    return record.currency or p.settings.currency


def own_currency(p: Programme, partner: str) -> str:
    """A partner's own currency for its reports (the programme's when it names none)."""
    found = p.partner_by_id.get(partner)
    return (found.currency if found is not None else None) or p.settings.currency


class Rates:
    """Look-up of the rates of one programme, by currency and date."""

    def __init__(self, p: Programme) -> None:
        self.base = p.settings.currency
        by_currency: dict[str, list[tuple[dt.date, float]]] = {}
        for r in p.exchange_rates:
            by_currency.setdefault(r.currency, []).append((r.valid_from, r.rate))
        self._days = {c: [d for d, _ in sorted(v)] for c, v in by_currency.items()}
        self._rates = {c: [x for _, x in sorted(v)] for c, v in by_currency.items()}

    def known(self, currency: str) -> bool:
        return currency == self.base or currency in self._days

    def first_day(self, currency: str) -> dt.date | None:
        """The date of the currency's first rate (None for the programme currency or no rate)."""
        days = self._days.get(currency)
        return days[0] if days else None

    def rate_on(self, currency: str, day: dt.date) -> float:
        """Programme-currency units per unit of `currency` on `day`."""
        if currency == self.base:
            return 1.0
        days = self._days.get(currency)
        if not days:
            raise KeyError(f"no exchange rate for {currency}")
        i = bisect.bisect_right(days, day) - 1
        return self._rates[currency][max(i, 0)]

    def convert(self, amount: float, currency: str, to: str, day: dt.date) -> float:
        """`amount` in `currency` expressed in `to`, at the rates in force on `day`."""
        if currency == to:
            return amount
        return amount * self.rate_on(currency, day) / self.rate_on(to, day)

    def is_constant(self, currency: str) -> bool:
        """True when the currency has one rate (or is the programme's): its price never moves."""
        return currency == self.base or len(set(self._rates.get(currency, []))) <= 1
