-- The pool's default rules (docs/billing.md): 120-minute call-out, critical x1.5, after hours x1.25,
-- multipliers stacked, pool fee 500 basis points. Change them with PUT /v1/rate-rules, not here.
INSERT INTO rate_rules (version, callout_minimum_minutes, critical_multiplier, after_hours_multiplier,
                        stack_multipliers, pool_fee_bps, changed_by)
VALUES (1, 120, 1.5, 1.25, true, 500, 'seed');
