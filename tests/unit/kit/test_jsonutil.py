"""JSON conversions: decimals as plain text, whatever their exponent."""

from decimal import Decimal

import pytest

from taas_kit import jsonutil


@pytest.mark.parametrize(("value", "text"), [
    (Decimal("6E+1"), "60"), (Decimal("7.14E+3"), "7140"), (Decimal("1.50"), "1.50"), (Decimal("0.000001"), "0.000001"),
    (Decimal(3600000000).scaleb(-6).normalize(), "3600"), (Decimal("-2.5E+2"), "-250"),
])
def test_decimals_are_plain_decimal_strings(value, text):
    assert jsonutil.plain_decimal(value) == text
    assert jsonutil.dumps({"v": value}) == b'{"v":"' + text.encode() + b'"}'


def test_a_decimal_that_is_not_a_number_is_refused():
    with pytest.raises(ValueError, match="finite"):
        jsonutil.plain_decimal(Decimal("NaN"))
