"""Money: an exact ``Decimal`` amount with an ISO 4217 currency.

Rule (SEMANTICS "Periods, compliance and money" 5): amounts stay exact through
every step (shares of fees, sums, caps) and are rounded half-up to the
currency's minor unit only once, at the end (``rounded``). Currencies are never
mixed: adding EUR to USD is an error, not a conversion.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# ISO 4217 minor units that are not 2 (the common case).
_MINOR_UNITS = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
    "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0,
    "XPF": 0, "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    "CLF": 4, "UYW": 4,
}  # fmt: skip


def minor_unit(currency: str) -> int:
    """Decimal places of ``currency`` (EUR 2, JPY 0, KWD 3)."""
    return _MINOR_UNITS.get(currency.upper(), 2)


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount of one currency; arithmetic keeps every digit."""

    amount: Decimal
    currency: str

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def times(self, share: Decimal) -> Money:
        return Money(self.amount * share, self.currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} with {other.currency}")

    def rounded(self) -> Money:
        """Half-up to the currency's minor unit (EUR 12.345 -> 12.35, JPY 12.5 -> 13)."""
        exponent = Decimal(1).scaleb(-minor_unit(self.currency))
        return Money(self.amount.quantize(exponent, rounding=ROUND_HALF_UP), self.currency)

    def digits(self) -> str:
        """``1,234.50``: the amount without its currency, rounded for display only."""
        return f"{self.rounded().amount:,.{minor_unit(self.currency)}f}"

    def __str__(self) -> str:
        """``EUR 1,234.50`` (rounded for display only)."""
        return f"{self.currency} {self.digits()}"


def zero(currency: str) -> Money:
    return Money(Decimal(0), currency)


def total(amounts: Iterable[Money], currency: str) -> Money:
    """The exact sum of ``amounts`` (all in ``currency``); ``0`` for none."""
    result = zero(currency)
    for amount in amounts:
        result += amount
    return result
