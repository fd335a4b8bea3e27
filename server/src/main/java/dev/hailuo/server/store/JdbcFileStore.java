package dev.hailuo.server.store;

import dev.hailuo.core.files.FileKind;
import dev.hailuo.core.files.StoredFile;
import dev.hailuo.core.port.FilePaths;
import dev.hailuo.core.port.FileStore;
import org.jdbi.v3.core.mapper.RowMapper;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

public final class JdbcFileStore implements FileStore, FilePaths {
    /**
     * Uploads racing for one path take turns on it (a lock per account and path on PostgreSQL;
     * SQLite writers queue anyway), so each replaces the one before. Were a unique violation to
     * happen all the same, the placement is tried again.
     */
    static final int PLACE_ATTEMPTS = 3;

    private static final RowMapper<StoredFile> FILE = (rs, ctx) -> {
        long duration = rs.getLong("duration_ms");
        Double seconds = rs.wasNull() ? null : duration / 1000.0;
        int width = rs.getInt("width");
        Integer w = rs.wasNull() ? null : width;
        int height = rs.getInt("height");
        Integer h = rs.wasNull() ? null : height;
        return new StoredFile(rs.getString("id"), rs.getString("account_id"),
                FileKind.fromWire(rs.getString("kind")).orElseThrow(), rs.getString("name"), rs.getString("mime_type"),
                rs.getLong("size_bytes"), w, h, seconds, rs.getString("blob_key"), rs.getString("client_request_id"),
                Times.instant(rs, "created_at"), Times.instant(rs, "expires_at"));
    };

    private final Database db;

    public JdbcFileStore(Database db) {
        this.db = db;
    }

    @Override
    public void save(StoredFile f) {
        db.writeVoid(h -> h.createUpdate("""
                        INSERT INTO files (id, account_id, kind, name, mime_type, size_bytes, width, height, duration_ms,
                            blob_key, client_request_id, created_at, expires_at)
                        VALUES (:id, :account, :kind, :name, :mime, :size, :width, :height, :duration, :blob, :client,
                            :created, :expires)""")
                .bind("id", f.id()).bind("account", f.accountId()).bind("kind", f.kind().wireName())
                .bind("name", f.name()).bind("mime", f.mimeType()).bind("size", f.sizeBytes())
                .bind("width", f.width()).bind("height", f.height())
                .bind("duration", f.durationSeconds() == null ? null : Math.round(f.durationSeconds() * 1000))
                .bind("blob", f.blobKey()).bind("client", f.clientRequestId())
                .bind("created", Times.millis(f.createdAt())).bind("expires", Times.millis(f.expiresAt()))
                .execute());
    }

    @Override
    public Optional<StoredFile> find(String accountId, String fileId) {
        return db.read(h -> h.createQuery("SELECT * FROM files WHERE id = :id AND account_id = :account")
                .bind("id", fileId).bind("account", accountId).map(FILE).findOne());
    }

    @Override
    public List<StoredFile> expired(Instant now, int limit) {
        return db.read(h -> h.createQuery("SELECT * FROM files WHERE expires_at <= :now ORDER BY expires_at LIMIT :limit")
                .bind("now", now.toEpochMilli()).bind("limit", limit).map(FILE).list());
    }

    @Override
    public void delete(String fileId) {
        db.writeVoid(h -> h.createUpdate("DELETE FROM files WHERE id = :id").bind("id", fileId).execute());
    }

    @Override
    public Optional<StoredFile> place(StoredFile file, String path, String name) {
        for (int attempt = 1; ; attempt++) {
            try {
                return db.write(h -> {
                    db.lockUntilCommit(h, "market_path:" + file.accountId() + "/" + path);
                    Optional<StoredFile> previous = h.createQuery(
                                    "SELECT * FROM files WHERE account_id = :account AND market_path = :path")
                            .bind("account", file.accountId()).bind("path", path).map(FILE).findOne();
                    // Only the transaction whose DELETE removed the row owns the old blob.
                    Optional<StoredFile> removed = previous.filter(old -> h.createUpdate("DELETE FROM files WHERE id = :id")
                            .bind("id", old.id()).execute() == 1);
                    int updated = h.createUpdate("UPDATE files SET market_path = :path, name = :name WHERE id = :id")
                            .bind("path", path).bind("name", name).bind("id", file.id()).execute();
                    if (updated != 1) {
                        throw new IllegalStateException("file " + file.id() + " vanished before it was placed at its path");
                    }
                    return removed;
                });
            } catch (RuntimeException e) {
                if (attempt >= PLACE_ATTEMPTS || !Database.isUniqueViolation(e)) {
                    throw e;
                }
            }
        }
    }
}
