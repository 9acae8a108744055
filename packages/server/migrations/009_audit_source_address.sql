-- The address a recorded action came from (the client's, by the same rule as the request logs'),
-- for the audit log's readers (GET /api/audit-log). Entries written before have none.
ALTER TABLE audit_log ADD COLUMN source_address text;
