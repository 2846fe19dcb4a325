-- 001 (SQLite): the core tables, with the original deployment's names and columns, and p88's record tables.
-- Every text column that holds provider data is unbounded: the original lost 2,174 rows to
-- VARCHAR(20) overflows. Instants are TEXT 'YYYY-MM-DD HH:MM:SS[.fff]' in UTC, the form SQLite's date functions use.
-- (The PostgreSQL twin of this file is sql/postgres/001_core.sql; keep them in step.)

CREATE TABLE timing_partners (
  timing_partner_id INTEGER PRIMARY KEY AUTOINCREMENT,
  company_name      TEXT NOT NULL,
  access_password   TEXT,
  created_at        TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at        TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE providers (
  provider_id         INTEGER PRIMARY KEY AUTOINCREMENT,
  name                TEXT NOT NULL UNIQUE,
  provider_type       TEXT,
  api_base_url        TEXT,
  rate_limit_per_hour INTEGER DEFAULT 1000,
  created_at          TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  -- p88: the plugin that serves this provider
  slug                TEXT UNIQUE,
  plugin_version      TEXT,
  plugin_path         TEXT,
  plugin_seen_at      TEXT
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
UPDATE sqlite_sequence SET seq = 99 WHERE name = 'providers';

-- Several credentials per partner and provider are allowed (the original's UNIQUE could not hold).
CREATE TABLE partner_provider_credentials (
  partner_provider_credential_id INTEGER PRIMARY KEY AUTOINCREMENT,
  provider_id       INTEGER NOT NULL REFERENCES providers (provider_id),
  timing_partner_id INTEGER NOT NULL REFERENCES timing_partners (timing_partner_id),
  principal         TEXT,
  secret            TEXT,
  credential_type   TEXT,
  additional_config TEXT CHECK (additional_config IS NULL OR json_valid(additional_config)),
  created_at        TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at        TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  -- p88
  active            INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX partner_provider_credentials_partner_idx
  ON partner_provider_credentials (timing_partner_id, provider_id);

CREATE TABLE sync_queue (
  sync_queue_id     INTEGER PRIMARY KEY AUTOINCREMENT,
  timing_partner_id INTEGER REFERENCES timing_partners (timing_partner_id),
  provider_id       INTEGER REFERENCES providers (provider_id),
  event_id          TEXT,
  operation_type    TEXT NOT NULL CHECK (operation_type IN ('events', 'participants', 'results')),
  sync_direction    TEXT DEFAULT 'pull',
  priority          INTEGER DEFAULT 5,
  status            TEXT DEFAULT 'pending'
                      CHECK (status IN ('pending', 'running', 'completed', 'failed')),
  scheduled_time    TEXT DEFAULT CURRENT_TIMESTAMP,
  retry_count       INTEGER DEFAULT 0,
  max_retries       INTEGER DEFAULT 3,
  payload           TEXT CHECK (payload IS NULL OR json_valid(payload)),
  created_at        TEXT DEFAULT CURRENT_TIMESTAMP,
  started_at        TEXT,
  completed_at      TEXT,
  -- p88
  partner_provider_credential_id INTEGER REFERENCES partner_provider_credentials (partner_provider_credential_id),
  sync_mode         TEXT CHECK (sync_mode IN ('full', 'incremental', 'reconcile')),
  lease_owner       TEXT,
  lease_expires_at  TEXT,
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
  sync_history_id       INTEGER PRIMARY KEY AUTOINCREMENT,
  timing_partner_id     INTEGER,
  provider_id           INTEGER,
  event_id              TEXT,
  operation_type        TEXT,
  sync_direction        TEXT DEFAULT 'pull',
  sync_time             TEXT DEFAULT CURRENT_TIMESTAMP,
  status                TEXT CHECK (status IN ('success', 'partial', 'failed')),
  num_of_synced_records INTEGER DEFAULT 0,
  entries_success       INTEGER DEFAULT 0,
  entries_failed        INTEGER DEFAULT 0,
  error_details         TEXT CHECK (error_details IS NULL OR json_valid(error_details)),
  data_snapshot         TEXT CHECK (data_snapshot IS NULL OR json_valid(data_snapshot)),
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
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  timing_partner_id   INTEGER NOT NULL REFERENCES timing_partners (timing_partner_id),
  provider_id         INTEGER NOT NULL REFERENCES providers (provider_id),
  provider_event_id   TEXT NOT NULL CHECK (provider_event_id <> ''),
  provider_race_id    TEXT,
  name                TEXT,
  race_name           TEXT,
  description         TEXT,
  start_time          TEXT,
  end_time            TEXT,
  time_zone           TEXT,
  location_name       TEXT,
  city                TEXT,
  state               TEXT,
  country             TEXT,
  event_type          TEXT,
  distance            TEXT,
  registration_opens  TEXT,
  registration_closes TEXT,
  status              TEXT,
  last_modified       TEXT,
  raw_json            TEXT NOT NULL CHECK (json_valid(raw_json)),
  partner_provider_credential_id INTEGER,
  content_hash        TEXT NOT NULL,
  revision            INTEGER NOT NULL DEFAULT 1,
  first_seen_at       TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at          TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  fetched_date        TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  UNIQUE (timing_partner_id, provider_id, provider_event_id)
);
CREATE INDEX events_start_idx ON events (start_time);

CREATE TABLE participants (
  id                      INTEGER PRIMARY KEY AUTOINCREMENT,
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
  date_of_birth           TEXT CHECK (date_of_birth IS NULL OR date(date_of_birth) = date_of_birth),
  gender                  TEXT CHECK (gender IN ('M', 'F', 'X', 'U')),
  gender_raw              TEXT,
  age                     INTEGER,
  bib                     TEXT,
  chip                    TEXT,
  team_name               TEXT,
  division                TEXT,
  registration_date       TEXT,
  status                  TEXT NOT NULL DEFAULT 'active'
                            CHECK (status IN ('active', 'cancelled', 'removed', 'transferred', 'deferred')),
  new_registration_id     TEXT,
  amount_paid_minor       INTEGER,
  currency                TEXT,
  city                    TEXT,
  state                   TEXT,
  country                 TEXT,
  address                 TEXT CHECK (address IS NULL OR json_valid(address)),
  emergency_contact       TEXT CHECK (emergency_contact IS NULL OR json_valid(emergency_contact)),
  answers                 TEXT CHECK (answers IS NULL OR json_valid(answers)),
  last_modified           TEXT,
  raw_json                TEXT NOT NULL CHECK (json_valid(raw_json)),
  partner_provider_credential_id INTEGER,
  content_hash            TEXT NOT NULL,
  revision                INTEGER NOT NULL DEFAULT 1,
  first_seen_at           TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at              TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  fetched_date            TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
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
  updated_at         TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (timing_partner_id, provider_id, partner_provider_credential_id, stream, provider_event_id)
);
