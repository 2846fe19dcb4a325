-- 001: the core tables, with the original deployment's names and columns, and p88's record tables.
-- One file for both backends: the double-brace tokens are filled in per dialect
-- (host/store/sql_dialect.cpp).
-- Every text column that holds provider data is unbounded: the original lost 2,174 rows to
-- VARCHAR(20) overflows. Instants are stored and compared in UTC: timestamptz on PostgreSQL, TEXT
-- 'YYYY-MM-DD HH:MM:SS[.fff]' on SQLite (the form of its date functions).

CREATE TABLE timing_partners (
  timing_partner_id {{serial_pk}},
  company_name      TEXT NOT NULL,
  access_password   TEXT,
  created_at        {{timestamp}} NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at        {{timestamp}} NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE providers (
  provider_id         {{serial_pk}},
  name                TEXT NOT NULL UNIQUE,
  provider_type       TEXT,
  api_base_url        TEXT,
  rate_limit_per_hour INTEGER DEFAULT 1000,
  created_at          {{timestamp}} NOT NULL DEFAULT CURRENT_TIMESTAMP,
  -- p88: the plugin that serves this provider
  slug                TEXT UNIQUE,
  plugin_version      TEXT,
  plugin_path         TEXT,
  plugin_seen_at      {{timestamp}}
);

-- The bundled providers under their seed names, with the original deployment's ids
-- (RunSignUp 2, Race Roster 4, Haku 5), so the seed's credentials INSERT works before any plugin
-- is installed and existing data keeps its meaning.
INSERT INTO providers (provider_id, name, provider_type, api_base_url, rate_limit_per_hour, slug) VALUES
  (2, 'RunSignUp', 'registration', 'https://runsignup.com/Rest', 1000, 'runsignup'),
  (4, 'Race Roster', 'registration', 'https://raceroster.com/api/v1', 1000, 'raceroster'),
  (5, 'Haku', 'registration', 'https://api.hakuapp.com', 500, 'haku'),
  (7, 'Let''s Do This', 'registration', 'https://api.letsdothis.com/v0', 1000, 'letsdothis');
-- Keep the id sequence ahead of the explicit ids (the original's duplicate-key lesson): the next
-- provider gets id 100.
{{reserve_ids(providers, provider_id, 100)}};

-- Several credentials per partner and provider are allowed (the original's UNIQUE could not hold).
CREATE TABLE partner_provider_credentials (
  partner_provider_credential_id {{serial_pk}},
  provider_id       INTEGER NOT NULL REFERENCES providers (provider_id),
  timing_partner_id INTEGER NOT NULL REFERENCES timing_partners (timing_partner_id),
  principal         TEXT,
  secret            TEXT,
  credential_type   TEXT,
  additional_config {{json}} {{json_check(additional_config)}},
  created_at        {{timestamp}} NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at        {{timestamp}} NOT NULL DEFAULT CURRENT_TIMESTAMP,
  -- p88
  active            BOOLEAN NOT NULL DEFAULT true
);
CREATE INDEX partner_provider_credentials_partner_idx
  ON partner_provider_credentials (timing_partner_id, provider_id);

CREATE TABLE sync_queue (
  sync_queue_id     {{serial_pk}},
  timing_partner_id INTEGER REFERENCES timing_partners (timing_partner_id),
  provider_id       INTEGER REFERENCES providers (provider_id),
  event_id          TEXT,
  operation_type    TEXT NOT NULL CHECK (operation_type IN ('events', 'participants', 'results')),
  sync_direction    TEXT DEFAULT 'pull',
  priority          INTEGER DEFAULT 5,
  status            TEXT DEFAULT 'pending'
                      CHECK (status IN ('pending', 'running', 'completed', 'failed')),
  scheduled_time    {{timestamp}} DEFAULT CURRENT_TIMESTAMP,
  retry_count       INTEGER DEFAULT 0,
  max_retries       INTEGER DEFAULT 3,
  payload           {{json}} {{json_check(payload)}},
  created_at        {{timestamp}} DEFAULT CURRENT_TIMESTAMP,
  started_at        {{timestamp}},
  completed_at      {{timestamp}},
  -- p88
  partner_provider_credential_id INTEGER REFERENCES partner_provider_credentials (partner_provider_credential_id),
  sync_mode         TEXT CHECK (sync_mode IN ('full', 'incremental', 'reconcile')),
  lease_owner       TEXT,
  lease_expires_at  {{timestamp}},
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
  sync_history_id       {{serial_pk}},
  timing_partner_id     INTEGER,
  provider_id           INTEGER,
  event_id              TEXT,
  operation_type        TEXT,
  sync_direction        TEXT DEFAULT 'pull',
  sync_time             {{timestamp}} DEFAULT CURRENT_TIMESTAMP,
  status                TEXT CHECK (status IN ('success', 'partial', 'failed')),
  num_of_synced_records INTEGER DEFAULT 0,
  entries_success       INTEGER DEFAULT 0,
  entries_failed        INTEGER DEFAULT 0,
  error_details         {{json}} {{json_check(error_details)}},
  data_snapshot         {{json}} {{json_check(data_snapshot)}},
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
  id                  {{bigserial_pk}},
  timing_partner_id   INTEGER NOT NULL REFERENCES timing_partners (timing_partner_id),
  provider_id         INTEGER NOT NULL REFERENCES providers (provider_id),
  provider_event_id   TEXT NOT NULL CHECK (provider_event_id <> ''),
  provider_race_id    TEXT,
  name                TEXT,
  race_name           TEXT,
  description         TEXT,
  start_time          {{timestamp}},
  end_time            {{timestamp}},
  time_zone           TEXT,
  location_name       TEXT,
  city                TEXT,
  state               TEXT,
  country             TEXT,
  event_type          TEXT,
  distance            TEXT,
  registration_opens  {{timestamp}},
  registration_closes {{timestamp}},
  status              TEXT,
  last_modified       {{timestamp}},
  raw_json            {{json}} NOT NULL {{json_check(raw_json)}},
  partner_provider_credential_id INTEGER,
  content_hash        TEXT NOT NULL,
  revision            INTEGER NOT NULL DEFAULT 1,
  first_seen_at       {{timestamp}} NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at          {{timestamp}} NOT NULL DEFAULT CURRENT_TIMESTAMP,
  fetched_date        {{timestamp}} NOT NULL DEFAULT CURRENT_TIMESTAMP,
  UNIQUE (timing_partner_id, provider_id, provider_event_id)
);
CREATE INDEX events_start_idx ON events (start_time);

CREATE TABLE participants (
  id                      {{bigserial_pk}},
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
  date_of_birth           {{date}} {{date_check(date_of_birth)}},
  gender                  TEXT CHECK (gender IN ('M', 'F', 'X', 'U')),
  gender_raw              TEXT,
  age                     INTEGER,
  bib                     TEXT,
  chip                    TEXT,
  team_name               TEXT,
  division                TEXT,
  registration_date       {{timestamp}},
  status                  TEXT NOT NULL DEFAULT 'active'
                            CHECK (status IN ('active', 'cancelled', 'removed', 'transferred', 'deferred')),
  new_registration_id     TEXT,
  amount_paid_minor       BIGINT,
  currency                TEXT,
  city                    TEXT,
  state                   TEXT,
  country                 TEXT,
  address                 {{json}} {{json_check(address)}},
  emergency_contact       {{json}} {{json_check(emergency_contact)}},
  answers                 {{json}} {{json_check(answers)}},
  last_modified           {{timestamp}},
  raw_json                {{json}} NOT NULL {{json_check(raw_json)}},
  partner_provider_credential_id INTEGER,
  content_hash            TEXT NOT NULL,
  revision                INTEGER NOT NULL DEFAULT 1,
  first_seen_at           {{timestamp}} NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at              {{timestamp}} NOT NULL DEFAULT CURRENT_TIMESTAMP,
  fetched_date            {{timestamp}} NOT NULL DEFAULT CURRENT_TIMESTAMP,
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
  updated_at         {{timestamp}} NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (timing_partner_id, provider_id, partner_provider_credential_id, stream, provider_event_id)
);
