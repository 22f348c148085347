"""The interlocal split of each priced segment, as balanced double-entry ledger postings.

For every segment, the requesting agency is charged the whole amount (debit
`agency:<id>:receivable`). The pool keeps a fee of `fee_bps` basis points of it, rounded
half-to-even to the cent (credit `pool:fees`). The rest, total minus fee, is credited to whoever
supplied the person: the lending jurisdiction (`jurisdiction:<id>:payable`) when the provider is
staff lent by another jurisdiction, or the provider itself (`provider:<id>:payable`) when it is an
independent firm. Computing the credit as a remainder makes every segment balance to the cent.

The fee is `default_fee_bps` unless an interlocal agreement between the requesting agency's
jurisdiction and the lending jurisdiction sets its own; agreements are unordered pairs. Lines of
zero cents are left out, so a zero-priced segment posts nothing.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from taas_billing.domain.money import BASIS_POINTS_PER_WHOLE, fraction_of_basis_points
from taas_billing.domain.pricing import PricedSegment

POOL_FEES_ACCOUNT = "pool:fees"
DEFAULT_POOL_FEE_BPS = 500


def _check_basis_points(fee_bps: int) -> None:
    if isinstance(fee_bps, bool) or not isinstance(fee_bps, int):
        raise TypeError("a fee is an int number of basis points")
    if not 0 <= fee_bps <= BASIS_POINTS_PER_WHOLE:
        raise ValueError(f"a fee must be between 0 and {BASIS_POINTS_PER_WHOLE} basis points: {fee_bps}")


def _check_id(identifier: str) -> None:
    if not identifier or ":" in identifier:
        raise ValueError(f"ids in account names must be non-empty and free of ':': {identifier!r}")


@dataclass(frozen=True, slots=True)
class InterlocalAgreement:
    """Two jurisdictions' agreement overriding the pool fee on staff lent between them."""

    jurisdiction_a: str
    jurisdiction_b: str
    fee_bps: int

    def __post_init__(self) -> None:
        _check_id(self.jurisdiction_a)
        _check_id(self.jurisdiction_b)
        _check_basis_points(self.fee_bps)

    @property
    def parties(self) -> frozenset[str]:
        """The two jurisdictions, unordered."""
        return frozenset((self.jurisdiction_a, self.jurisdiction_b))


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    """The pool's default fee and the interlocal agreements that override it."""

    default_fee_bps: int = DEFAULT_POOL_FEE_BPS
    agreements: tuple[InterlocalAgreement, ...] = ()

    def __post_init__(self) -> None:
        _check_basis_points(self.default_fee_bps)
        pairs = [agreement.parties for agreement in self.agreements]
        if len(set(pairs)) != len(pairs):
            raise ValueError("at most one interlocal agreement per pair of jurisdictions")

    def fee_bps(self, requesting_jurisdiction: str, lending_jurisdiction: str | None) -> int:
        """The fee for work lent by `lending_jurisdiction` (None: an independent firm)."""
        if lending_jurisdiction is not None:
            pair = frozenset((requesting_jurisdiction, lending_jurisdiction))
            for agreement in self.agreements:
                if agreement.parties == pair:
                    return agreement.fee_bps
        return self.default_fee_bps


@dataclass(frozen=True, slots=True)
class Parties:
    """Who is charged and who supplied the provider; the agency id doubles as its jurisdiction id."""

    agency_id: str
    provider_id: str
    lending_jurisdiction_id: str | None  # None when the provider is an independent firm

    def __post_init__(self) -> None:
        _check_id(self.agency_id)
        _check_id(self.provider_id)
        if self.lending_jurisdiction_id is not None:
            _check_id(self.lending_jurisdiction_id)

    @property
    def payee_account(self) -> str:
        """The account credited with the work, net of the pool fee."""
        if self.lending_jurisdiction_id is not None:
            return f"jurisdiction:{self.lending_jurisdiction_id}:payable"
        return f"provider:{self.provider_id}:payable"

    @property
    def receivable_account(self) -> str:
        """The requesting agency's account, charged the total."""
        return f"agency:{self.agency_id}:receivable"


@dataclass(frozen=True, slots=True)
class Posting:
    """One ledger line of a segment: either a debit or a credit, in cents."""

    segment_key: str
    account: str
    debit_cents: int
    credit_cents: int

    def __post_init__(self) -> None:
        if min(self.debit_cents, self.credit_cents) < 0 or (self.debit_cents > 0) == (self.credit_cents > 0):
            raise ValueError(f"a posting is a positive debit or a positive credit: {self}")


def split_segment(segment: PricedSegment, parties: Parties, fees: FeeSchedule) -> list[Posting]:
    """The balanced postings of one priced segment: charge, payee credit, pool fee."""
    total = segment.amount_cents
    if total < 0:
        raise ValueError(f"segment {segment.key} has a negative amount")
    fee = fraction_of_basis_points(total, fees.fee_bps(parties.agency_id, parties.lending_jurisdiction_id))
    lines = [
        (parties.receivable_account, total, 0),
        (parties.payee_account, 0, total - fee),
        (POOL_FEES_ACCOUNT, 0, fee),
    ]
    return [
        Posting(segment.key, account, debit, credit)
        for account, debit, credit in lines
        if debit or credit
    ]


def post_segments(segments: Iterable[PricedSegment], parties: Parties, fees: FeeSchedule) -> list[Posting]:
    """The postings of every segment of a piece of work, in segment order."""
    return [posting for segment in segments for posting in split_segment(segment, parties, fees)]


def balance_cents(postings: Iterable[Posting]) -> int:
    """Debits minus credits: zero for any balanced set of postings."""
    return sum(posting.debit_cents - posting.credit_cents for posting in postings)
