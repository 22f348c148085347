"""Write use cases behind the API: new rate rules, new interlocal agreements."""

import asyncpg

from taas_billing.api.models import AgreementCreate, AgreementRead, RateRulesRead, RateRulesUpdate
from taas_billing.queries import agreement_read, rules_read
from taas_billing.repository import rules


async def put_rate_rules(conn: asyncpg.Connection, update: RateRulesUpdate, changed_by: str) -> RateRulesRead:
    """Store a new version of the rate rules; work billed from now on is priced with it."""
    async with conn.transaction():
        row = await rules.add_version(
            conn, callout_minimum_minutes=update.callout_minimum_minutes,
            critical_multiplier=update.critical_multiplier, after_hours_multiplier=update.after_hours_multiplier,
            stack_multipliers=update.stack_multipliers, pool_fee_bps=update.pool_fee_bps, changed_by=changed_by,
        )
    return rules_read(row)


async def create_agreement(conn: asyncpg.Connection, new: AgreementCreate, created_by: str) -> AgreementRead | None:
    """Store an agreement; None if the two jurisdictions already have one."""
    row = await rules.add_agreement(conn, new.jurisdiction_a, new.jurisdiction_b, new.fee_bps, new.note, created_by)
    return agreement_read(row) if row else None
