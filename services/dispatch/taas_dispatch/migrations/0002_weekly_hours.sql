-- The provider's scheduled hours per week: vacancy weeks past the snapshot's availability horizon are judged by it.
ALTER TABLE providers ADD COLUMN weekly_hours double precision NOT NULL DEFAULT 0;
