-- Provider callbacks name the provider's task id: find the task without a scan.
CREATE INDEX tasks_upstream ON tasks (provider, upstream_id);
