BEGIN;
CREATE TABLE audit_log (tenant_id text NOT NULL, id uuid DEFAULT gen_random_uuid(), action text NOT NULL, at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (tenant_id, id));
CREATE INDEX ASYNC audit_log_by_time ON audit_log (tenant_id, at);
COMMIT;
