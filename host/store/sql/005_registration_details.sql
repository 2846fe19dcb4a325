-- 005: registrations stored from a provider's list before their detail (Haku: the participants
-- page has names, email, age, gender, team and status; bib, date of birth, address, emergency
-- contact and answers need one call per registration). detail_status says per registration
-- whether its detail is in: 'complete' (stored in full, every provider's normal case),
-- 'pending' (only its list row so far) or 'stale' (its list row changed after its detail was
-- stored; the detail's fields are the older ones). sync_history.detail_calls: the calls of a run
-- spent on registration details (part of api_calls; the budget plan leaves them out of what a
-- sync costs).
ALTER TABLE participants ADD COLUMN detail_status TEXT NOT NULL DEFAULT 'complete'
  CHECK (detail_status IN ('complete', 'pending', 'stale'));
CREATE INDEX participants_detail_backlog_idx ON participants (timing_partner_id, provider_id, provider_event_id)
  WHERE detail_status <> 'complete';
ALTER TABLE sync_history ADD COLUMN detail_calls INTEGER;

-- The allowance for registration details, per credential beside its rate limit: a token bucket
-- (calls an hour, set by the leading engine from its plan; NULL: none yet) shared by the workers
-- of every host (host/queue/rate_limiter.cpp).
ALTER TABLE rate_limits ADD COLUMN detail_per_hour DOUBLE PRECISION;
ALTER TABLE rate_limits ADD COLUMN detail_credit DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE rate_limits ADD COLUMN detail_at DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE rate_limits ADD COLUMN detail_taken DOUBLE PRECISION NOT NULL DEFAULT 0;
