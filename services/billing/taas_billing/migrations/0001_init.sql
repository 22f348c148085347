-- Billing: read models (agencies, assignments), rules as data, the usage ledger, budget alerts.

-- Agencies, from the compacted snapshot topic: the latest version wins.
CREATE TABLE agencies (
    agency_id text PRIMARY KEY,
    name text NOT NULL,
    time_zone text NOT NULL,
    business_days smallint[] NOT NULL,
    opens time NOT NULL,
    closes time NOT NULL,
    monthly_budget_cap_cents bigint CHECK (monthly_budget_cap_cents IS NULL OR monthly_budget_cap_cents >= 0),
    active boolean NOT NULL,
    version bigint NOT NULL,
    source_event_id text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Assignments, from dispatch events. A completion that arrives before its agency's snapshot waits here
-- (status awaiting_agency, the completion payload kept) and is priced when the snapshot arrives.
CREATE TABLE assignments (
    assignment_id text PRIMARY KEY,
    request_id text NOT NULL,
    agency_id text NOT NULL,
    provider_id text NOT NULL,
    lending_jurisdiction_id text,
    provider_firm text,
    rate_cents bigint NOT NULL CHECK (rate_cents > 0),
    kind text NOT NULL,
    severity text,
    status text NOT NULL CHECK (status IN ('assigned', 'released', 'awaiting_agency', 'billed')),
    created_event_id text,
    billing_event_id text,
    pending_work jsonb,
    completed_at timestamptz,
    billed_at timestamptz,
    rate_rules_version integer,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assignments_awaiting_agency ON assignments (agency_id) WHERE status = 'awaiting_agency';

-- Time logged on assignments, so work on an assignment released before completion is still billed.
CREATE TABLE time_entries (
    assignment_id text NOT NULL,
    entry_id text NOT NULL,
    started_at timestamptz NOT NULL,
    ended_at timestamptz NOT NULL,
    source_event_id text NOT NULL,
    PRIMARY KEY (assignment_id, entry_id)
);

-- Rate rules are data: every change is a new version; the highest version is in force.
CREATE TABLE rate_rules (
    version integer PRIMARY KEY CHECK (version >= 1),
    callout_minimum_minutes integer NOT NULL CHECK (callout_minimum_minutes >= 0),
    critical_multiplier numeric NOT NULL CHECK (critical_multiplier > 0),
    after_hours_multiplier numeric NOT NULL CHECK (after_hours_multiplier > 0),
    stack_multipliers boolean NOT NULL,
    pool_fee_bps integer NOT NULL CHECK (pool_fee_bps BETWEEN 0 AND 10000),
    changed_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Interlocal agreements: one per unordered pair of jurisdictions, stored in canonical order (a < b).
CREATE TABLE interlocal_agreements (
    agreement_id uuid PRIMARY KEY,
    jurisdiction_a text NOT NULL,
    jurisdiction_b text NOT NULL,
    fee_bps integer NOT NULL CHECK (fee_bps BETWEEN 0 AND 10000),
    note text NOT NULL DEFAULT '',
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (jurisdiction_a < jurisdiction_b),
    UNIQUE (jurisdiction_a, jurisdiction_b)
);

-- One row per billable segment; usage_id = uuid5(segment_key) is also the usage event's id.
CREATE TABLE usage_segments (
    seq bigserial NOT NULL UNIQUE,
    usage_id uuid PRIMARY KEY,
    segment_key text NOT NULL UNIQUE,
    assignment_id text NOT NULL,
    segment_index integer NOT NULL,
    kind text NOT NULL CHECK (kind IN ('business_hours', 'after_hours', 'callout')),
    request_id text NOT NULL,
    agency_id text NOT NULL,
    provider_id text NOT NULL,
    lending_jurisdiction_id text,
    payee_account text NOT NULL,
    month text NOT NULL CHECK (month ~ '^[0-9]{4}-[0-9]{2}$'),
    segment_start timestamptz NOT NULL,
    segment_end timestamptz NOT NULL,
    billed_microseconds bigint NOT NULL CHECK (billed_microseconds >= 0),
    rate_cents bigint NOT NULL,
    multiplier numeric NOT NULL,
    amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
    fee_cents bigint NOT NULL CHECK (fee_cents >= 0 AND fee_cents <= amount_cents),
    rate_rules_version integer NOT NULL REFERENCES rate_rules (version),
    source_event_id text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (assignment_id, segment_index)
);
CREATE INDEX usage_segments_agency ON usage_segments (agency_id, month, seq);
CREATE INDEX usage_segments_provider ON usage_segments (provider_id, seq);
CREATE INDEX usage_segments_lender ON usage_segments (lending_jurisdiction_id, month) WHERE lending_jurisdiction_id IS NOT NULL;

-- The double-entry ledger: append-only, at most one line per (segment, account), each segment balanced.
CREATE TABLE ledger_lines (
    id bigserial PRIMARY KEY,
    segment_key text NOT NULL REFERENCES usage_segments (segment_key),
    account text NOT NULL,
    debit_cents bigint NOT NULL CHECK (debit_cents >= 0),
    credit_cents bigint NOT NULL CHECK (credit_cents >= 0),
    usage_id uuid NOT NULL REFERENCES usage_segments (usage_id),
    assignment_id text NOT NULL,
    agency_id text NOT NULL,
    month text NOT NULL,
    source_event_id text NOT NULL,
    posted_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((debit_cents > 0) <> (credit_cents > 0)),
    UNIQUE (segment_key, account)
);
CREATE INDEX ledger_lines_account ON ledger_lines (account, month);

CREATE FUNCTION ledger_lines_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger lines are append-only (% refused)', TG_OP;
END $$;
CREATE TRIGGER ledger_lines_no_update BEFORE UPDATE OR DELETE ON ledger_lines
    FOR EACH ROW EXECUTE FUNCTION ledger_lines_append_only();

CREATE FUNCTION ledger_segment_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    imbalance bigint;
BEGIN
    SELECT sum(debit_cents - credit_cents) INTO imbalance FROM ledger_lines WHERE segment_key = NEW.segment_key;
    IF imbalance <> 0 THEN
        RAISE EXCEPTION 'segment % does not balance (% cents)', NEW.segment_key, imbalance;
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER ledger_lines_balanced AFTER INSERT ON ledger_lines
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_segment_balanced();

-- Budget alerts: each threshold at most once per agency-month.
CREATE TABLE budget_alerts (
    agency_id text NOT NULL,
    month text NOT NULL,
    threshold_percent integer NOT NULL CHECK (threshold_percent > 0),
    total_cents bigint NOT NULL,
    cap_cents bigint NOT NULL,
    event_id uuid NOT NULL UNIQUE,
    source_event_id text NOT NULL,
    raised_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agency_id, month, threshold_percent)
);
