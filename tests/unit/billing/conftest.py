"""Shared fixtures for the billing domain tests: one agency calendar and the pool's rate rules."""

from datetime import time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from taas_billing.domain.business_hours import AgencyHours
from taas_billing.domain.pricing import RateRules

NEW_YORK = ZoneInfo("America/New_York")
MONDAY_TO_FRIDAY = frozenset(range(5))


@pytest.fixture
def office_hours() -> AgencyHours:
    """An agency in New York open Monday to Friday, 09:00 to 17:00 local time."""
    return AgencyHours(NEW_YORK, MONDAY_TO_FRIDAY, time(9), time(17))


@pytest.fixture
def rules() -> RateRules:
    """The worked-example rules: 120-minute call-out, critical x1.5, after-hours x1.25, stacking."""
    return RateRules(
        callout_minimum_minutes=120,
        critical_multiplier=Decimal("1.5"),
        after_hours_multiplier=Decimal("1.25"),
        stack_multipliers=True,
    )
