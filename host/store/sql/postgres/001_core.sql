-- 001: the core tables, with the original deployment's names and columns, and p88's record tables.
-- Every text column that holds provider data is unbounded: the original lost 2,174 rows to
-- VARCHAR(20) overflows. Instants are timestamptz, stored and compared in UTC.

CREATE TABLE timing_partners (
  timing_partner_id SERIAL PRIMARY KEY,
  company_name      TEXT NOT NULL,
  access_password   TEXT,
  created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE providers (
  provider_id         SERIAL PRIMARY KEY,
  name                TEXT NOT NULL UNIQUE,
  provider_type       TEXT,
  api_base_url        TEXT,
  rate_limit_per_hour INTEGER DEFAULT 1000,
  created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  -- p88: the plugin that serves this provider
  slug                TEXT UNIQUE,
  plugin_version      TEXT,
  plugin_path         TEXT,
  plugin_seen_at      TIMESTAMPTZ
);

-- The bundled providers under their seed names, with the original deployment's ids
-- (RunSignUp 2, Race Roster 4, Haku 5), so the seed's credentials INSERT works before any plugin
-- is installed and existing data keeps its meaning.
INSERT INTO providers (provider_id, name, provider_type, api_base_url, rate_limit_per_hour, slug) VALUES
  (2, 'RunSignUp', 'registration', 'https://runsignup.com/Rest', 1000, 'runsignup'),
  (4, 'Race Roster', 'registration', 'https://raceroster.com/api/v1', 1000, 'raceroster'),
  (5, 'Haku', 'registration', 'https://api.hakuapp.com', 500, 'haku'),
  (7, 'Let''s Do This', 'registration', 'https://api.letsdothis.com/v0', 1000, 'letsdothis');
-- Keep the sequence ahead of the explicit ids (the original's duplicate-key lesson).
SELECT setval(pg_get_serial_sequence('providers', 'provider_id'), 100, false);

-- Several credentials per partner and provider are allowed (the original's UNIQUE could not hold).
CREATE TABLE partner_provider_credentials (
  partner_provider_credential_id SERIAL PRIMARY KEY,
  provider_id       INTEGER NOT NULL REFERENCES providers (provider_id),
  timing_partner_id INTEGER NOT NULL REFERENCES timing_partners (timing_partner_id),
  principal         TEXT,
  secret            TEXT,
  credential_type   TEXT,
  additional_config JSONB,
  created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  -- p88
  active            BOOLEAN NOT NULL DEFAULT true
);
CREATE INDEX partner_provider_credentials_partner_idx
  ON partner_provider_credentials (timing_partner_id, provider_id);

CREATE TABLE sync_queue (
  sync_queue_id     SERIAL PRIMARY KEY,
  timing_partner_id INTEGER REFERENCES timing_partners (timing_partner_id),
  provider_id       INTEGER REFERENCES providers (provider_id),
  event_id          TEXT,
  operation_type    TEXT NOT NULL CHECK (operation_type IN ('events', 'participants', 'results')),
  sync_direction    TEXT DEFAULT 'pull',
  priority          INTEGER DEFAULT 5,
  status            TEXT DEFAULT 'pending'
                      CHECK (status IN ('pending', 'running', 'completed', 'failed')),
  scheduled_time    TIMESTAMPTZ DEFAULT now(),
  retry_count       INTEGER DEFAULT 0,
  max_retries       INTEGER DEFAULT 3,
  payload           JSONB,
  created_at        TIMESTAMPTZ DEFAULT now(),
  started_at        TIMESTAMPTZ,
  completed_at      TIMESTAMPTZ,
  -- p88
  partner_provider_credential_id INTEGER REFERENCES partner_provider_credentials,
  sync_mode         TEXT CHECK (sync_mode IN ('full', 'incremental', 'reconcile')),
  lease_owner       TEXT,
  lease_expires_at  TIMESTAMPTZ,
  rescue_count      INTEGER NOT NULL DEFAULT 0,
  last_error        TEXT
);
CREATE INDEX sync_queue_status_idx ON sync_queue (status);
CREATE INDEX sync_queue_pending_idx ON sync_queue (priority, scheduled_time, sync_queue_id)
  WHERE status = 'pending';
CREATE INDEX sync_queue_partner_idx ON sync_queue (timing_partner_id);
-- At most one pending or running job per stream: enqueue with ON CONFLICT DO NOTHING.
CREATE UNIQUE INDEX sync_queue_one_active_job ON sync_queue (
  timing_partner_id, provider_id, COALESCE(partner_provider_credential_id, 0),
  COALESCE(event_id, ''), operation_type)
  WHERE status IN ('pending', 'running');

CREATE TABLE sync_history (
  sync_history_id       SERIAL PRIMARY KEY,
  timing_partner_id     INTEGER,
  provider_id           INTEGER,
  event_id              TEXT,
  operation_type        TEXT,
  sync_direction        TEXT DEFAULT 'pull',
  sync_time             TIMESTAMPTZ DEFAULT now(),
  status                TEXT CHECK (status IN ('success', 'partial', 'failed')),
  num_of_synced_records INTEGER DEFAULT 0,
  entries_success       INTEGER DEFAULT 0,
  entries_failed        INTEGER DEFAULT 0,
  error_details         JSONB,
  data_snapshot         JSONB,
  duration_seconds      INTEGER,
  callback_url          TEXT,
  reason                TEXT,
  -- p88
  partner_provider_credential_id INTEGER,
  sync_queue_id         INTEGER,
  sync_mode             TEXT,
  api_calls             INTEGER
);
CREATE INDEX sync_history_partner_idx ON sync_history (timing_partner_id);
CREATE INDEX sync_history_time_idx ON sync_history (sync_time DESC);
CREATE INDEX sync_history_stream_idx
  ON sync_history (timing_partner_id, provider_id, event_id, operation_type, sync_time DESC);

-- Normalized records, every provider in the same two tables, keyed per timing partner.
CREATE TABLE events (
  id                  BIGSERIAL PRIMARY KEY,
  timing_partner_id   INTEGER NOT NULL REFERENCES timing_partners (timing_partner_id),
  provider_id         INTEGER NOT NULL REFERENCES providers (provider_id),
  provider_event_id   TEXT NOT NULL CHECK (provider_event_id <> ''),
  provider_race_id    TEXT,
  name                TEXT,
  race_name           TEXT,
  description         TEXT,
  start_time          TIMESTAMPTZ,
  end_time            TIMESTAMPTZ,
  time_zone           TEXT,
  location_name       TEXT,
  city                TEXT,
  state               TEXT,
  country             TEXT,
  event_type          TEXT,
  distance            TEXT,
  registration_opens  TIMESTAMPTZ,
  registration_closes TIMESTAMPTZ,
  status              TEXT,
  last_modified       TIMESTAMPTZ,
  raw_json            JSONB NOT NULL,
  partner_provider_credential_id INTEGER,
  content_hash        TEXT NOT NULL,
  revision            INTEGER NOT NULL DEFAULT 1,
  first_seen_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  fetched_date        TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (timing_partner_id, provider_id, provider_event_id)
);
CREATE INDEX events_start_idx ON events (start_time);

CREATE TABLE participants (
  id                      BIGSERIAL PRIMARY KEY,
  timing_partner_id       INTEGER NOT NULL REFERENCES timing_partners (timing_partner_id),
  provider_id             INTEGER NOT NULL REFERENCES providers (provider_id),
  provider_event_id       TEXT NOT NULL CHECK (provider_event_id <> ''),
  provider_participant_id TEXT NOT NULL CHECK (provider_participant_id <> ''),
  provider_person_id      TEXT,
  first_name              TEXT,
  middle_name             TEXT,
  last_name               TEXT,
  email                   TEXT,
  phone                   TEXT,
  date_of_birth           DATE,
  gender                  TEXT CHECK (gender IN ('M', 'F', 'X', 'U')),
  gender_raw              TEXT,
  age                     INTEGER,
  bib                     TEXT,
  chip                    TEXT,
  team_name               TEXT,
  division                TEXT,
  registration_date       TIMESTAMPTZ,
  status                  TEXT NOT NULL DEFAULT 'active'
                            CHECK (status IN ('active', 'cancelled', 'removed', 'transferred', 'deferred')),
  new_registration_id     TEXT,
  amount_paid_minor       BIGINT,
  currency                TEXT,
  city                    TEXT,
  state                   TEXT,
  country                 TEXT,
  address                 JSONB,
  emergency_contact       JSONB,
  answers                 JSONB,
  last_modified           TIMESTAMPTZ,
  raw_json                JSONB NOT NULL,
  partner_provider_credential_id INTEGER,
  content_hash            TEXT NOT NULL,
  revision                INTEGER NOT NULL DEFAULT 1,
  first_seen_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
  fetched_date            TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (timing_partner_id, provider_id, provider_participant_id)
);
CREATE INDEX participants_event_idx
  ON participants (timing_partner_id, provider_id, provider_event_id);

-- Where each stream left off: the plugin's opaque cursor, written in the same transaction as the
-- records it covers. provider_event_id is '' for account-scoped streams (event discovery).
CREATE TABLE sync_cursors (
  timing_partner_id  INTEGER NOT NULL,
  provider_id        INTEGER NOT NULL,
  partner_provider_credential_id INTEGER NOT NULL,
  stream             TEXT NOT NULL,
  provider_event_id  TEXT NOT NULL DEFAULT '',
  cursor             TEXT NOT NULL,
  updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (timing_partner_id, provider_id, partner_provider_credential_id, stream, provider_event_id)
);
