-- 003: shared rate limits. One row per (provider, credential): GCRA's theoretical arrival time
-- and a provider-imposed block, both in seconds since the Unix epoch on the database clock, so
-- every worker of every host shares one limiter (host/queue/rate_limiter.cpp).
CREATE TABLE rate_limits (
  provider_id                    INTEGER NOT NULL,
  partner_provider_credential_id INTEGER NOT NULL,
  tat                            DOUBLE PRECISION NOT NULL DEFAULT 0,
  blocked_until                  DOUBLE PRECISION NOT NULL DEFAULT 0,
  throttles                      INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (provider_id, partner_provider_credential_id)
);

-- The engine finds each stream's last scheduled run here (host/engine/scheduler.cpp).
CREATE INDEX sync_queue_stream_idx ON sync_queue (
  partner_provider_credential_id, operation_type, event_id, scheduled_time);
