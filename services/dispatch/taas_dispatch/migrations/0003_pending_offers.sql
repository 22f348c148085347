-- Open offers per provider, counted by matching's fairness for every candidate pool.
CREATE INDEX offers_pending_provider ON offers (provider_id) WHERE status = 'pending';
