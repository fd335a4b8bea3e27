-- Market uploads live at a client-chosen "uploadPath/fileName" of their account (kie.ai's upload
-- API); the newest upload at a path replaces the file there. NULL for every other file: both
-- SQLite and PostgreSQL treat NULLs as distinct in a unique index. At most 1280 characters
-- (1024-byte uploadPath, '/', 255-byte name; see core UploadPaths), within a b-tree entry.
ALTER TABLE files ADD COLUMN market_path VARCHAR(1280);
CREATE UNIQUE INDEX files_market_path ON files (account_id, market_path);
