-- What the client sent, kept with the task (core Submission): the create request as compact
-- JSON, shown back by the door that received it (the Market's recordInfo "param", the Runs
-- "input"), and the Market's callBackUrl, the endpoint told when the task ends (NULL: none).
-- Both NULL for tasks created before this migration. 2048 characters bound a URL the way
-- browsers and CDNs do; the door refuses longer ones.
ALTER TABLE tasks ADD COLUMN callback_url VARCHAR(2048);
ALTER TABLE tasks ADD COLUMN request_json TEXT;
