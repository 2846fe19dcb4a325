-- 004: registrations the provider no longer returns. A full read that completes marks the
-- stored registrations it did not see as status 'removed' with removal_reason 'vanished' and
-- the time it noticed (never a delete); seeing them again clears both (host/store/store.cpp).
ALTER TABLE participants ADD COLUMN removal_reason TEXT;
ALTER TABLE participants ADD COLUMN removal_noticed_at {{timestamp}};
