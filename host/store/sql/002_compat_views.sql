-- 002: the original deployment's read-side names, as views over events and participants.
-- Ids that were integers in the original are integers here when the provider's id is numeric.
-- One file for both backends: the double-brace tokens are filled in per dialect
-- (host/store/sql_dialect.cpp).
-- Plain SQL only (no functions of ours), so any client can read the views.

CREATE VIEW runsignup_events AS
SELECT {{int(e.provider_event_id)}} AS event_id,
       {{int(e.provider_race_id)}} AS race_id,
       e.name,
       e.description AS details,
       e.start_time,
       e.end_time,
       e.raw_json ->> 'age_calc_base_date' AS age_calc_base_date,
       e.registration_opens,
       e.event_type,
       e.distance,
       (e.raw_json ->> 'volunteer') = 'T' AS volunteer,
       (e.raw_json ->> 'require_dob') = 'T' AS require_dob,
       (e.raw_json ->> 'require_phone') = 'T' AS require_phone,
       e.raw_json ->> 'giveaway' AS giveaway,
       e.fetched_date,
       'credential ' || e.partner_provider_credential_id AS credentials_used,
       e.timing_partner_id,
       e.first_seen_at AS created_at,
       e.provider_event_id,
       e.race_name,
       e.time_zone,
       e.raw_json
FROM events e
JOIN providers p ON p.provider_id = e.provider_id AND p.name = 'RunSignUp';

CREATE VIEW runsignup_participants AS
SELECT pa.id,
       {{int(ev.provider_race_id)}} AS race_id,
       {{int(pa.provider_event_id)}} AS event_id,
       {{int(pa.provider_participant_id)}} AS registration_id,
       {{int(pa.provider_person_id)}} AS user_id,
       pa.first_name,
       pa.middle_name,
       pa.last_name,
       pa.email,
       pa.address,
       pa.date_of_birth AS dob,
       COALESCE(pa.gender_raw, pa.gender) AS gender,
       pa.phone,
       pa.raw_json -> 'user' ->> 'profile_image_url' AS profile_image_url,
       pa.bib AS bib_num,
       pa.chip AS chip_num,
       pa.age,
       pa.registration_date,
       {{json_object}}('team_id', pa.raw_json -> 'team_id', 'team_name', pa.team_name,
                          'team_type_id', pa.raw_json -> 'team_type_id',
                          'team_type', pa.raw_json -> 'team_type',
                          'team_gender', pa.raw_json -> 'team_gender',
                          'team_bib_num', pa.raw_json -> 'team_bib_num') AS team_info,
       {{json_object}}('amount_paid', ROUND(pa.amount_paid_minor / 100.0, 2), 'currency', pa.currency,
                          'race_fee', pa.raw_json -> 'race_fee',
                          'processing_fee', pa.raw_json -> 'processing_fee',
                          'rsu_transaction_id', pa.raw_json -> 'rsu_transaction_id',
                          'transaction_id', pa.raw_json -> 'transaction_id') AS payment_info,
       {{json_object}}('question_responses', {{as_json}}(pa.answers),
                          'giveaway', pa.raw_json -> 'giveaway',
                          'imported', pa.raw_json -> 'imported') AS additional_data,
       pa.fetched_date,
       'credential ' || pa.partner_provider_credential_id AS credentials_used,
       pa.timing_partner_id,
       pa.first_seen_at AS created_at,
       pa.last_modified,
       pa.team_name,
       ROUND(pa.amount_paid_minor / 100.0, 2) AS amount_paid,
       pa.status,
       pa.new_registration_id,
       pa.raw_json
FROM participants pa
JOIN providers p ON p.provider_id = pa.provider_id AND p.name = 'RunSignUp'
LEFT JOIN events ev ON ev.timing_partner_id = pa.timing_partner_id
                   AND ev.provider_id = pa.provider_id
                   AND ev.provider_event_id = pa.provider_event_id;

CREATE VIEW raceroster_events AS
SELECT {{int(e.provider_event_id)}} AS event_id,
       {{int(e.provider_race_id)}} AS race_id,
       e.name,
       e.description,
       e.start_time AS start_date,
       e.end_time AS end_date,
       e.location_name,
       {{json_object}}('city', e.city, 'state', e.state, 'country', e.country) AS address,
       e.time_zone AS timezone,
       e.distance,
       e.event_type,
       e.registration_opens AS registration_open_date,
       e.registration_closes AS registration_close_date,
       e.status,
       e.fetched_date,
       'credential ' || e.partner_provider_credential_id AS credentials_used,
       e.timing_partner_id,
       e.first_seen_at AS created_at,
       e.provider_event_id,
       e.raw_json
FROM events e
JOIN providers p ON p.provider_id = e.provider_id AND p.name = 'Race Roster';

CREATE VIEW raceroster_participants AS
SELECT pa.id,
       {{int(pa.provider_event_id)}} AS event_id,
       {{int(pa.provider_participant_id)}} AS registration_id,
       pa.bib AS bib_number,
       pa.first_name,
       pa.last_name,
       pa.email,
       pa.phone,
       pa.date_of_birth,
       COALESCE(pa.gender_raw, pa.gender) AS gender,
       pa.address,
       pa.emergency_contact,
       pa.team_name,
       pa.division,
       pa.registration_date,
       pa.status AS registration_status,
       ROUND(pa.amount_paid_minor / 100.0, 2) AS amount_paid,
       pa.currency,
       pa.answers AS additional_info,
       pa.fetched_date,
       'credential ' || pa.partner_provider_credential_id AS credentials_used,
       pa.timing_partner_id,
       pa.first_seen_at AS created_at,
       pa.provider_participant_id,
       pa.raw_json
FROM participants pa
JOIN providers p ON p.provider_id = pa.provider_id AND p.name = 'Race Roster';

CREATE VIEW haku_events AS
SELECT e.provider_event_id AS event_id,
       e.name AS event_name,
       e.description AS event_description,
       e.start_time AS start_date,
       e.end_time AS end_date,
       e.location_name AS location,
       e.event_type,
       e.distance,
       e.status,
       e.first_seen_at AS created_at,
       e.updated_at,
       e.fetched_date,
       'credential ' || e.partner_provider_credential_id AS credentials_used,
       e.timing_partner_id,
       e.time_zone,
       e.raw_json
FROM events e
JOIN providers p ON p.provider_id = e.provider_id AND p.name = 'Haku';

CREATE VIEW haku_participants AS
SELECT pa.id,
       pa.provider_event_id AS event_id,
       pa.provider_participant_id AS participant_id,
       pa.bib AS bib_number,
       pa.first_name,
       pa.last_name,
       pa.email,
       pa.phone,
       pa.date_of_birth,
       COALESCE(pa.gender_raw, pa.gender) AS gender,
       pa.country AS nationality,
       pa.emergency_contact,
       pa.team_name AS team_affiliation,
       pa.division AS category,
       pa.registration_date,
       pa.status AS payment_status,
       ROUND(pa.amount_paid_minor / 100.0, 2) AS amount_paid,
       pa.answers AS special_requirements,
       pa.fetched_date,
       'credential ' || pa.partner_provider_credential_id AS credentials_used,
       pa.timing_partner_id,
       pa.first_seen_at AS created_at,
       pa.status,
       pa.raw_json
FROM participants pa
JOIN providers p ON p.provider_id = pa.provider_id AND p.name = 'Haku';

CREATE VIEW letsdothis_events AS
SELECT e.provider_event_id AS event_id,
       e.provider_race_id AS race_id,
       e.name AS event_name,
       e.race_name,
       e.start_time AS start_date,
       e.end_time AS end_date,
       e.location_name,
       e.city,
       e.country,
       e.distance,
       e.status,
       e.fetched_date,
       'credential ' || e.partner_provider_credential_id AS credentials_used,
       e.timing_partner_id,
       e.first_seen_at AS created_at,
       e.raw_json
FROM events e
JOIN providers p ON p.provider_id = e.provider_id AND p.name = 'Let''s Do This';

CREATE VIEW letsdothis_participants AS
SELECT pa.id,
       pa.provider_event_id AS event_id,
       pa.provider_participant_id AS application_id,
       pa.bib AS bib_number,
       pa.first_name,
       pa.last_name,
       pa.email,
       pa.phone,
       pa.date_of_birth,
       COALESCE(pa.gender_raw, pa.gender) AS gender,
       pa.team_name,
       pa.division AS ticket_title,
       pa.registration_date,
       pa.status,
       ROUND(pa.amount_paid_minor / 100.0, 2) AS amount_paid,
       pa.currency,
       pa.answers,
       pa.fetched_date,
       'credential ' || pa.partner_provider_credential_id AS credentials_used,
       pa.timing_partner_id,
       pa.first_seen_at AS created_at,
       pa.raw_json
FROM participants pa
JOIN providers p ON p.provider_id = pa.provider_id AND p.name = 'Let''s Do This';

-- Every provider's events and participants, including those of third-party plugins; the
-- source_provider is the provider's slug ('runsignup', 'raceroster', 'haku', 'letsdothis').
CREATE VIEW unified_events AS
SELECT p.slug AS source_provider,
       e.timing_partner_id,
       e.provider_event_id AS event_id,
       e.name AS event_name,
       e.start_time AS event_date,
       e.fetched_date,
       e.provider_id,
       p.name AS provider_name,
       e.start_time,
       e.time_zone,
       e.provider_race_id
FROM events e
JOIN providers p ON p.provider_id = e.provider_id;

CREATE VIEW unified_participants AS
SELECT p.slug AS source_provider,
       pa.timing_partner_id,
       pa.provider_event_id AS event_id,
       pa.first_name,
       pa.last_name,
       pa.email,
       pa.gender,
       pa.bib AS bib_number,
       pa.city,
       pa.state,
       pa.age,
       pa.registration_date,
       pa.fetched_date,
       pa.provider_id,
       pa.provider_participant_id,
       pa.status
FROM participants pa
JOIN providers p ON p.provider_id = pa.provider_id;
