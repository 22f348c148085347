"""Money arithmetic: integer cents, exact intermediate values, one stated rounding rule.

Rounding rule: an amount is computed exactly (as a rational number, no intermediate rounding) and
rounded half-to-even to a whole cent exactly once, at the end. Pricing rounds once per billable
segment; the interlocal split rounds the pool fee once per segment. Totals are sums of rounded
lines, so a statement always adds up to its lines.
"""

from decimal import Decimal
from fractions import Fraction

BASIS_POINTS_PER_WHOLE = 10_000


def round_half_even_cents(amount_cents: Fraction) -> int:
    """Round an exact amount of cents to a whole cent, ties to the even cent."""
    # round() on a Fraction is exact and uses banker's rounding (half-to-even).
    return round(amount_cents)


def exact(value: Decimal | int) -> Fraction:
    """Convert a Decimal or int to an exact Fraction, refusing floats."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"money needs Decimal or int, not {type(value).__name__}")
    return Fraction(value)


def fraction_of_basis_points(amount_cents: int, basis_points: int) -> int:
    """`basis_points` / 10,000 of `amount_cents`, rounded half-to-even to a cent."""
    return round_half_even_cents(Fraction(amount_cents * basis_points, BASIS_POINTS_PER_WHOLE))
