-- What the skeleton's worker stores per event: one row under the event's key (its primary key drops a redelivery).
CREATE TABLE results (
    thing_id text PRIMARY KEY,
    event_id text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
