"""Numbers as the author wrote them: exact values, and the shortest decimal to write them.

YAML gives floats; 0.1 + 0.2 and 5% of 19.99 in float arithmetic carry noise that no
output may show (0.30000000000000004, 0.9995000000000012). Every format writes numbers
with ``number`` and computes tolerances with ``numeric_bounds``/``numeric_target``.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

from coursepack.model import NumericAnswer, Tolerance

Real = int | float | Decimal | Fraction


def exact(value: Real) -> Fraction:
    """The number the author wrote, exactly: a float is read back from its ``repr``.

    ``repr`` is the shortest decimal that reads back as the same float, so 0.1 is
    1/10 here, not the binary 0.1000000000000000055...
    """
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a finite number: {value!r}")
        return Fraction(Decimal(repr(value)))
    return Fraction(value)


def decimal(value: Fraction) -> Decimal:
    """A fraction whose denominator has no factor but 2 and 5, as its exact decimal.

    Built from its digits, so no Decimal context can round it, however long it is.
    """
    den, twos, fives = value.denominator, 0, 0
    while den % 2 == 0:
        den, twos = den // 2, twos + 1
    while den % 5 == 0:
        den, fives = den // 5, fives + 1
    if den != 1:
        raise ValueError(f"{value} has no finite decimal form")
    places = max(twos, fives)
    scaled = value.numerator * 10**places // value.denominator
    digits = tuple(int(d) for d in str(abs(scaled)))
    return Decimal((int(scaled < 0), digits, -places))


def number(value: Real) -> str:
    """A number as the shortest plain decimal: 4, 0.25, -1.5, 0.00001 (never 4.0, 1e-05, -0).

    A whole float is written exactly; any other keeps its 15 significant digits (all a
    double holds for certain), so the noise of float arithmetic (0.30000000000000004)
    never shows. A Decimal, or a Fraction with a finite decimal form, is written exactly.
    """
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a finite number: {value!r}")
        digits = repr(value) if value.is_integer() else format(value, ".15g")
        text = format(Decimal(digits), "f")
    elif isinstance(value, Fraction):
        text = format(decimal(value), "f")
    else:
        text = format(Decimal(value), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def numeric_bounds(answer: NumericAnswer) -> tuple[Fraction, Fraction]:
    """The lowest and highest accepted values, exactly as the author's numbers give them."""
    if answer.mode is Tolerance.RANGE:
        return exact(answer.low), exact(answer.high)
    centre, margin = numeric_target(answer)
    return centre - margin, centre + margin


def numeric_target(answer: NumericAnswer) -> tuple[Fraction, Fraction]:
    """The centre and the margin (+-) of a numeric answer, computed exactly.

    ``NumericAnswer.centre`` and ``.margin`` use float arithmetic (5% of 19.99 is
    0.9995000000000012 there); these are what the author meant (0.9995).
    """
    value = exact(answer.value)
    if answer.mode is Tolerance.RANGE:
        low, high = exact(answer.low), exact(answer.high)
        return (low + high) / 2, (high - low) / 2
    if answer.mode is Tolerance.PERCENT:
        return value, abs(value) * exact(answer.tolerance) / 100
    if answer.mode is Tolerance.ABSOLUTE:
        return value, exact(answer.tolerance)
    return value, Fraction(0)
