package dev.hailuo.server.store;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Single-row reads through a statement prepared once per database connection, for the hottest
 * query there is (a status read by id). Neither the SQLite driver nor HikariCP keeps prepared
 * statements, and JDBI prepares per call: preparing from scratch was about an eighth of a status
 * read's CPU (JFR). A pooled connection serves one caller at a time, so the statement prepared
 * on its physical connection is never shared by two threads at once.
 */
final class PreparedReads {
    /** What a row becomes. */
    interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private final DataSource dataSource;
    /** Per physical connection, by SQL; connections the pool has closed are dropped on the next new one. */
    private final Map<Connection, Map<String, PreparedStatement>> statements = new ConcurrentHashMap<>();

    PreparedReads(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The one row the query finds with these parameters, or empty. */
    <T> Optional<T> one(String sql, Row<T> row, String... parameters) {
        try (Connection pooled = dataSource.getConnection()) {
            PreparedStatement statement = statement(pooled.unwrap(Connection.class), sql);
            for (int i = 0; i < parameters.length; i++) {
                statement.setString(i + 1, parameters[i]);
            }
            // Closing the result set ends SQLite's implicit read transaction (and resets the statement).
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() ? Optional.of(row.map(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            // The statement only, never the parameters: they can be ids a log must not join up.
            throw new IllegalStateException("the read failed: " + sql, e);
        }
    }

    private PreparedStatement statement(Connection physical, String sql) throws SQLException {
        Map<String, PreparedStatement> mine = statements.get(physical);
        if (mine == null) {
            statements.keySet().removeIf(PreparedReads::closed);
            mine = new HashMap<>();
            statements.put(physical, mine);
        }
        // Only the caller holding this connection reaches its map (no lock for all callers: measured,
        // one cost a status read about a microsecond with 16 readers).
        PreparedStatement statement = mine.get(sql);
        if (statement == null || statement.isClosed()) {
            statement = physical.prepareStatement(sql);
            mine.put(sql, statement);
        }
        return statement;
    }

    private static boolean closed(Connection connection) {
        try {
            return connection.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }
}
