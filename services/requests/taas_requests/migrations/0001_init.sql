-- Agencies (tenants): the profile is kept as one jsonb document, versioned for the snapshot topic.
CREATE TABLE agencies (
    id text PRIMARY KEY,
    name text NOT NULL,
    time_zone text NOT NULL,
    profile jsonb NOT NULL,
    active boolean NOT NULL DEFAULT true,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Coverage requests: the validated body in `spec`, the fields that are filtered on in columns.
CREATE TABLE coverage_requests (
    id uuid PRIMARY KEY,
    agency_id text NOT NULL REFERENCES agencies (id),
    kind text NOT NULL,
    severity text,
    role text NOT NULL,
    status text NOT NULL DEFAULT 'submitted',
    last_seq integer,
    spec jsonb NOT NULL,
    window_start timestamptz NOT NULL,
    window_end timestamptz NOT NULL,
    submitted_at timestamptz NOT NULL,
    respond_by timestamptz NOT NULL,
    assigned_at timestamptz,
    cancelled_at timestamptz,
    cancel_reason text,
    updated_at timestamptz NOT NULL
);
CREATE INDEX coverage_requests_agency_page ON coverage_requests (agency_id, submitted_at DESC, id DESC);
CREATE INDEX coverage_requests_page ON coverage_requests (submitted_at DESC, id DESC);

-- Idempotency keys per agency: the first transaction to insert a key owns it; the others wait, then replay.
CREATE TABLE idempotency_keys (
    agency_id text NOT NULL,
    key text NOT NULL,
    fingerprint text NOT NULL,
    request_id uuid,
    status_code integer,
    response jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agency_id, key)
);

-- Every status change, dispatch step, and ignored or refused event of a request.
CREATE TABLE request_timeline (
    id bigserial PRIMARY KEY,
    request_id uuid NOT NULL REFERENCES coverage_requests (id),
    event_id text NOT NULL,
    event_type text NOT NULL,
    seq integer,
    occurred_at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    from_status text,
    to_status text NOT NULL,
    verdict text NOT NULL,
    reason text,
    detail jsonb NOT NULL DEFAULT '{}',
    UNIQUE (request_id, event_id)
);

-- Dispatch events about requests this service does not know (or whose agency does not match): kept, not applied.
CREATE TABLE orphan_dispatch_events (
    event_id text PRIMARY KEY,
    request_id text NOT NULL,
    agency_id text,
    event_type text NOT NULL,
    reason text NOT NULL,
    envelope jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhooks (
    id uuid PRIMARY KEY,
    agency_id text NOT NULL REFERENCES agencies (id),
    url text NOT NULL,
    secret text NOT NULL,
    events text[] NOT NULL,
    description text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
CREATE INDEX webhooks_agency ON webhooks (agency_id) WHERE deleted_at IS NULL;

-- Durable deliveries: written in the transaction of the change, sent by the delivery loop with retries.
CREATE TABLE webhook_deliveries (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    webhook_id uuid NOT NULL REFERENCES webhooks (id),
    agency_id text NOT NULL,
    event_id uuid NOT NULL,
    event_type text NOT NULL,
    body text NOT NULL,
    status text NOT NULL DEFAULT 'pending',
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_status_code integer,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    delivered_at timestamptz,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (webhook_id, created_at DESC);

CREATE TABLE webhook_attempts (
    delivery_id uuid NOT NULL REFERENCES webhook_deliveries (id),
    attempt integer NOT NULL,
    at timestamptz NOT NULL,
    status_code integer,
    error text,
    duration_ms double precision NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);
