"""The interlocal split: who is charged, who is credited, what the pool keeps; postings always balance."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taas_billing.domain.interlocal import (
    POOL_FEES_ACCOUNT,
    FeeSchedule,
    InterlocalAgreement,
    Parties,
    Posting,
    balance_cents,
    post_segments,
    split_segment,
)
from taas_billing.domain.pricing import PricedSegment, SegmentKind

LENT = Parties(agency_id="ash-county", provider_id="prov-7", lending_jurisdiction_id="elm-city")
FIRM = Parties(agency_id="ash-county", provider_id="firm-3", lending_jurisdiction_id=None)


def segment(amount_cents: int, key: str = "asg-2:1:after_hours") -> PricedSegment:
    start = datetime(2027, 6, 4, 21, tzinfo=UTC)
    return PricedSegment(
        key, "asg-2", 1, SegmentKind.AFTER_HOURS, start, start + timedelta(hours=1), timedelta(hours=1),
        12_000, Decimal(1), amount_cents,
    )


def lines(postings: list[Posting]) -> list[tuple[str, int, int]]:
    return [(p.account, p.debit_cents, p.credit_cents) for p in postings]


def test_lent_staff_credits_the_lending_jurisdiction_net_of_the_default_fee() -> None:
    # Example 4: 2,092.50 $ of work; 5 % is 104.625 $ -> 10,462.5 cents, a tie rounded to the even 10,462.
    postings = split_segment(segment(209_250), LENT, FeeSchedule())

    assert lines(postings) == [
        ("agency:ash-county:receivable", 209_250, 0),
        ("jurisdiction:elm-city:payable", 0, 198_788),
        (POOL_FEES_ACCOUNT, 0, 10_462),
    ]
    assert {p.segment_key for p in postings} == {"asg-2:1:after_hours"}


def test_independent_firm_is_credited_itself() -> None:
    postings = split_segment(segment(209_250), FIRM, FeeSchedule())

    assert lines(postings)[1:] == [("provider:firm-3:payable", 0, 198_788), (POOL_FEES_ACCOUNT, 0, 10_462)]


def test_an_interlocal_agreement_overrides_the_fee_in_either_direction() -> None:
    fees = FeeSchedule(agreements=(InterlocalAgreement("elm-city", "ash-county", fee_bps=300),))
    # 3 % of 209,250 is 6,277.5 cents: the tie rounds up to the even 6,278.
    assert lines(split_segment(segment(209_250), LENT, fees))[1:] == [
        ("jurisdiction:elm-city:payable", 0, 202_972),
        (POOL_FEES_ACCOUNT, 0, 6_278),
    ]
    other_way = Parties(agency_id="elm-city", provider_id="prov-8", lending_jurisdiction_id="ash-county")
    assert fees.fee_bps(other_way.agency_id, other_way.lending_jurisdiction_id) == 300
    # The agreement is between jurisdictions; an independent firm pays the default.
    assert fees.fee_bps("ash-county", None) == 500


def test_a_zero_fee_agreement_posts_no_fee_line() -> None:
    fees = FeeSchedule(agreements=(InterlocalAgreement("ash-county", "elm-city", fee_bps=0),))
    assert lines(split_segment(segment(1_000), LENT, fees)) == [
        ("agency:ash-county:receivable", 1_000, 0),
        ("jurisdiction:elm-city:payable", 0, 1_000),
    ]


def test_a_zero_priced_segment_posts_nothing() -> None:
    assert split_segment(segment(0), LENT, FeeSchedule()) == []


def test_schedule_refuses_duplicate_agreements_and_bad_fees() -> None:
    with pytest.raises(ValueError, match="one interlocal agreement"):
        FeeSchedule(agreements=(InterlocalAgreement("a", "b", 100), InterlocalAgreement("b", "a", 200)))
    with pytest.raises(ValueError, match="basis points"):
        FeeSchedule(default_fee_bps=10_001)
    with pytest.raises(ValueError, match="':'"):
        Parties(agency_id="ash:county", provider_id="p", lending_jurisdiction_id=None)


def test_a_posting_is_either_a_debit_or_a_credit() -> None:
    with pytest.raises(ValueError):
        Posting("k", "pool:fees", 5, 5)
    with pytest.raises(ValueError):
        Posting("k", "pool:fees", 0, 0)


IDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)


@given(
    amounts=st.lists(st.integers(0, 10**10), max_size=6),
    default_fee=st.integers(0, 10_000),
    agreement_fee=st.integers(0, 10_000),
    agency=IDS,
    provider=IDS,
    lender=st.none() | IDS,
)
def test_postings_balance_for_every_segment(
    amounts: list[int], default_fee: int, agreement_fee: int, agency: str, provider: str, lender: str | None
) -> None:
    parties = Parties(agency, provider, lender)
    agreements = (InterlocalAgreement(agency, lender, agreement_fee),) if lender else ()
    fees = FeeSchedule(default_fee, agreements)
    segments = [segment(amount, key=f"asg:{index}:after_hours") for index, amount in enumerate(amounts)]

    postings = post_segments(segments, parties, fees)

    assert balance_cents(postings) == 0
    for seg in segments:
        own = [p for p in postings if p.segment_key == seg.key]
        assert balance_cents(own) == 0
        assert sum(p.debit_cents for p in own) == seg.amount_cents
        charged = [p for p in own if p.account == parties.receivable_account and p.debit_cents]
        assert sum(p.debit_cents for p in charged) == seg.amount_cents
        fee = sum(p.credit_cents for p in own if p.account == POOL_FEES_ACCOUNT)
        bps = fees.fee_bps(agency, lender)
        assert abs(fee * 10_000 - seg.amount_cents * bps) <= 5_000  # within half a cent of the exact fee
