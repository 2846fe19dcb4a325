-- 006: sync_history rows found by their job: the rescuer asks of each job whose lease lapsed
-- whether its run had already written a successful row (then the job is completed, not read a
-- second time), and a manual sync waits for its job's row.
CREATE INDEX sync_history_job_idx ON sync_history (sync_queue_id) WHERE sync_queue_id IS NOT NULL;
