-- btree_gist lets a GiST index compare text with =, which the booking exclusion constraint needs. It lives in
-- `public`, never in a service schema, so dropping a (test) schema never drops it. Creating it needs the CREATE
-- privilege on the database: `taas migrate` creates it as the superuser before it runs this file.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'btree_gist') THEN
        IF NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'btree_gist') THEN
            RAISE EXCEPTION 'dispatch needs the btree_gist extension, which this PostgreSQL server lacks '
                            '(install the contrib package)';
        END IF;
        BEGIN
            CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;
        EXCEPTION
            WHEN insufficient_privilege THEN
                RAISE EXCEPTION 'dispatch needs btree_gist and this role may not create it: run '
                                '`CREATE EXTENSION btree_gist WITH SCHEMA public` as a superuser (taas migrate does)';
            WHEN unique_violation OR duplicate_object THEN
                NULL;  -- another migration created it at the same moment
        END;
    END IF;
END
$$;

-- Read model of agencies (latest snapshot wins by version).
CREATE TABLE agencies (
    agency_id text PRIMARY KEY,
    name text NOT NULL,
    time_zone text NOT NULL,
    active boolean NOT NULL,
    version bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Read model of providers, shaped so every hard filter runs in SQL on indexes.
CREATE TABLE providers (
    provider_id text PRIMARY KEY,
    version bigint NOT NULL,
    name text NOT NULL,
    roles text[] NOT NULL,
    skills text[] NOT NULL,
    cert_names text[] NOT NULL,
    cert_expiry jsonb NOT NULL,          -- name -> instant it lapses (null: never)
    clearance_names text[] NOT NULL,
    clearance_expiry jsonb NOT NULL,
    hourly_rate_cents integer NOT NULL,
    capacity integer NOT NULL CHECK (capacity >= 0),
    status text NOT NULL,
    conflicts text[] NOT NULL,
    onsite_lat double precision,
    onsite_lon double precision,
    onsite_radius_km double precision,
    availability tstzmultirange NOT NULL,
    on_call_until timestamptz,
    home_jurisdiction_id text,
    firm text,
    time_zone text NOT NULL,
    regions text[] NOT NULL,
    horizon_until timestamptz NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX providers_active_roles ON providers USING gin (roles) WHERE status = 'active';
CREATE INDEX providers_availability ON providers USING gist (availability) WHERE status = 'active';
CREATE INDEX providers_on_call ON providers (on_call_until) WHERE status = 'active' AND on_call_until IS NOT NULL;

-- One row per coverage request: its submitted payload, where dispatch stands, the current round, the event seq.
CREATE TABLE requests (
    request_id text PRIMARY KEY,
    agency_id text NOT NULL,
    role text,
    kind text,
    severity text,
    submitted jsonb,                     -- RequestSubmitted payload; null if the cancellation came first
    status text NOT NULL,
    round_number integer NOT NULL DEFAULT 0,
    round jsonb,                         -- the DispatchRound without its offers (those are rows)
    window_start timestamptz,
    window_end timestamptz,
    seq integer NOT NULL DEFAULT 0,
    unfilled_reason text,
    unfilled_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX requests_unfilled ON requests (role, unfilled_at) WHERE status = 'unfilled';
CREATE INDEX requests_agency ON requests (agency_id, created_at);

CREATE TABLE offers (
    offer_id text PRIMARY KEY,
    request_id text NOT NULL REFERENCES requests,
    round_number integer NOT NULL,
    provider_id text NOT NULL,
    rank integer NOT NULL,
    status text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    closed_at timestamptz,
    decline_reason text,
    position bigserial
);
CREATE INDEX offers_request ON offers (request_id, round_number, position);
CREATE INDEX offers_provider ON offers (provider_id, created_at DESC);

CREATE TABLE assignments (
    assignment_id text PRIMARY KEY,
    request_id text NOT NULL REFERENCES requests,
    agency_id text NOT NULL,
    provider_id text NOT NULL,
    offer_id text,
    round_number integer NOT NULL,
    via text NOT NULL,
    status text NOT NULL,
    assigned_at timestamptz NOT NULL,
    acknowledge_by timestamptz,
    acknowledged_at timestamptz,
    started_at timestamptz,
    ended_at timestamptz,
    release_cause text,
    release_reason text,
    rate_cents integer NOT NULL,
    home_jurisdiction_id text,
    firm text,
    kind text NOT NULL,
    severity text,
    role text NOT NULL,
    window_start timestamptz NOT NULL,
    window_end timestamptz NOT NULL
);
-- A request never holds two live assignments, whatever the code above does.
CREATE UNIQUE INDEX assignments_one_live ON assignments (request_id) WHERE status IN ('assigned', 'acknowledged', 'started');
CREATE INDEX assignments_provider ON assignments (provider_id, assigned_at DESC);
CREATE INDEX assignments_agency_done ON assignments (agency_id, provider_id) WHERE status = 'completed';
CREATE INDEX assignments_jurisdiction ON assignments (home_jurisdiction_id, assigned_at);

CREATE TABLE time_entries (
    entry_id text PRIMARY KEY,
    assignment_id text NOT NULL REFERENCES assignments,
    started_at timestamptz NOT NULL,
    minutes integer NOT NULL CHECK (minutes > 0),
    note text NOT NULL DEFAULT '',
    logged_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX time_entries_assignment ON time_entries (assignment_id, started_at);

-- The database itself forbids over-capacity overlap: a live assignment holds one of the provider's `capacity`
-- slots for its window, and no two bookings of one slot may overlap.
CREATE TABLE bookings (
    assignment_id text PRIMARY KEY REFERENCES assignments,
    provider_id text NOT NULL,
    slot integer NOT NULL CHECK (slot >= 1),
    period tstzrange NOT NULL,
    EXCLUDE USING gist (provider_id WITH =, slot WITH =, period WITH &&)
);

-- Deadlines and deferred work: offer expiry, on-call acknowledgement, re-matching an unfilled request.
CREATE TABLE timers (
    id bigserial PRIMARY KEY,
    kind text NOT NULL,
    request_id text NOT NULL,
    ref_id text NOT NULL,
    due_at timestamptz NOT NULL,
    UNIQUE (kind, ref_id)
);
CREATE INDEX timers_due ON timers (due_at);

CREATE TABLE dispatch_log (
    id bigserial PRIMARY KEY,
    record_id text NOT NULL UNIQUE,
    request_id text NOT NULL,
    agency_id text NOT NULL,
    provider_id text,
    step text NOT NULL,
    summary text NOT NULL,
    detail jsonb NOT NULL,
    at timestamptz NOT NULL
);
CREATE INDEX dispatch_log_request ON dispatch_log (request_id, id);
CREATE INDEX dispatch_log_provider ON dispatch_log (provider_id, id) WHERE provider_id IS NOT NULL;
CREATE INDEX dispatch_log_agency ON dispatch_log (agency_id, id);
CREATE INDEX dispatch_log_at ON dispatch_log (at);

-- Wake the live log stream of every instance when records are committed (no extra round trip per change).
CREATE FUNCTION notify_dispatch_log() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('taas_dispatch_log_' || TG_TABLE_SCHEMA, '');
    RETURN NULL;
END
$$;
CREATE TRIGGER dispatch_log_notify AFTER INSERT ON dispatch_log FOR EACH STATEMENT EXECUTE FUNCTION notify_dispatch_log();
