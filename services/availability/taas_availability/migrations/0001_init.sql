-- Provider profiles with their weekly schedule, status and the availability last published in their snapshot.
CREATE TABLE providers (
    id text PRIMARY KEY,
    name text NOT NULL,
    time_zone text NOT NULL,
    roles text[] NOT NULL,
    skills text[] NOT NULL DEFAULT '{}',
    -- certifications, clearances, rate, jurisdiction, firm, capacity, regions, onsite, languages, conflicts
    profile jsonb NOT NULL,
    windows jsonb NOT NULL DEFAULT '[]',
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'offboarded')),
    on_call_since timestamptz,
    on_call_until timestamptz,
    -- What the last snapshot said: lets ops filter "available at T" and the refresh loop find short horizons.
    availability tstzmultirange NOT NULL DEFAULT '{}',
    horizon_until timestamptz NOT NULL,
    version bigint NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX providers_roles ON providers USING gin (roles);
CREATE INDEX providers_skills ON providers USING gin (skills);
CREATE INDEX providers_availability ON providers USING gist (availability);
CREATE INDEX providers_horizon ON providers (horizon_until) WHERE status <> 'offboarded';

-- Dated exceptions to the weekly schedule (stored as UTC instants).
CREATE TABLE provider_exceptions (
    id uuid PRIMARY KEY,
    provider_id text NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('blocked', 'extra')),
    start_at timestamptz NOT NULL,
    end_at timestamptz NOT NULL CHECK (end_at > start_at),
    note text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX provider_exceptions_provider ON provider_exceptions (provider_id, start_at);

-- Assignments seen on taas.dispatch.events: a provider's current load. No foreign key: events may
-- name a provider before (or without) this service knowing it.
CREATE TABLE assignments (
    assignment_id text PRIMARY KEY,
    provider_id text NOT NULL,
    request_id text NOT NULL,
    agency_id text NOT NULL,
    role text,
    window_start timestamptz,
    window_end timestamptz,
    status text NOT NULL CHECK (status IN ('active', 'completed', 'released')),
    assigned_at timestamptz,
    ended_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assignments_provider_active ON assignments (provider_id) WHERE status = 'active';

-- One CredentialExpiring event per credential per expiry date, whichever instance notices first.
CREATE TABLE credential_alerts (
    provider_id text NOT NULL,
    kind text NOT NULL,
    credential text NOT NULL,
    expires_on date NOT NULL,
    raised_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider_id, kind, credential, expires_on)
);
