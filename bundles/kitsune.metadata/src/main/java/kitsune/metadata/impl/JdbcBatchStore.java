package kitsune.metadata.impl;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import kitsune.api.batch.Batch;
import kitsune.api.batch.BatchFilter;
import kitsune.api.batch.BatchState;
import kitsune.api.batch.BatchStore;
import kitsune.api.batch.BatchStoreException;

/**
 * The batch metadata in a database through JDBC: one table, every statement parameterized, a connection per call
 * (embedded Derby opens one in microseconds; a networked database's driver may pool). conf and args are kept as
 * JSON text.
 */
final class JdbcBatchStore implements BatchStore {
    /** Opens a connection to the store's database. */
    interface Connections {
        Connection open() throws SQLException;
    }

    private static final String COLUMNS = "id, user_name, batch_type, resource_path, class_name, app_name, conf, args, "
            + "state, app_id, app_url, app_state, app_diagnostic, kyuubi_instance, create_time, end_time";
    private static final String INSERT_COLUMNS = COLUMNS + ", owner_seen";
    private static final String TERMINAL = "('FINISHED', 'ERROR', 'CANCELED')";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Connections connections;
    private final String description;

    /**
     * @param description the store as a log line may name it (URL without credentials)
     */
    JdbcBatchStore(Connections connections, String description) {
        this.connections = connections;
        this.description = description;
    }

    /** Applies the schema's migrations; returns the version found before. */
    int migrate(Dialect dialect) throws BatchStoreException {
        try {
            return Migrations.migrate(connections, dialect, Migrations.all(dialect));
        } catch (SQLException e) {
            throw failed("migrate the schema of", e);
        }
    }

    @Override
    public void insert(Batch b) throws BatchStoreException {
        try (Connection c = connections.open();
                PreparedStatement s = c.prepareStatement("INSERT INTO kitsune_batches (" + INSERT_COLUMNS
                        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            s.setString(1, b.id());
            s.setString(2, b.user());
            s.setString(3, b.batchType());
            s.setString(4, b.resource());
            s.setString(5, b.className());
            s.setString(6, b.name());
            s.setString(7, json(b.conf()));
            s.setString(8, json(b.args()));
            s.setString(9, b.state().name());
            s.setString(10, b.appId());
            s.setString(11, b.appUrl());
            s.setString(12, b.appState());
            s.setString(13, b.appDiagnostic());
            s.setString(14, b.kyuubiInstance());
            s.setLong(15, b.createTime());
            s.setLong(16, b.endTime());
            s.setLong(17, b.createTime());
            s.executeUpdate();
        } catch (SQLException e) {
            throw failed("record batch " + b.id() + " in", e);
        }
    }

    @Override
    public Optional<Batch> get(String id) throws BatchStoreException {
        try (Connection c = connections.open();
                PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM kitsune_batches WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failed("read batch " + id + " from", e);
        }
    }

    @Override
    public List<Batch> list(BatchFilter f) throws BatchStoreException {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM kitsune_batches WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        if (f.batchType() != null) {
            sql.append(" AND batch_type = ?");
            params.add(f.batchType());
        }
        if (f.user() != null) {
            sql.append(" AND user_name = ?");
            params.add(f.user());
        }
        if (f.state() != null) {
            sql.append(" AND state = ?");
            params.add(f.state().name());
        }
        if (f.createdFrom() > 0) {
            sql.append(" AND create_time >= ?");
            params.add(f.createdFrom());
        }
        if (f.endedBefore() > 0) {
            sql.append(" AND end_time > 0 AND end_time <= ?");
            params.add(f.endedBefore());
        }
        if (f.name() != null) {
            sql.append(" AND app_name = ?");
            params.add(f.name());
        }
        sql.append(f.oldestFirst() ? " ORDER BY create_time, id" : " ORDER BY create_time DESC, id");
        // paged in Java: OFFSET/FETCH and LIMIT differ between the databases, and the pages are small
        try (Connection c = connections.open(); PreparedStatement s = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < params.size(); i++) s.setObject(i + 1, params.get(i));
            s.setMaxRows(f.size() == 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, (long) f.from() + f.size()));
            List<Batch> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                int skipped = 0;
                while (rs.next()) {
                    if (skipped < f.from()) {
                        skipped++;
                        continue;
                    }
                    if (out.size() >= f.size()) break;
                    out.add(row(rs));
                }
            }
            return out;
        } catch (SQLException e) {
            throw failed("list batches of", e);
        }
    }

    @Override
    public boolean update(Batch b) throws BatchStoreException {
        try (Connection c = connections.open();
                PreparedStatement s = c.prepareStatement("UPDATE kitsune_batches SET state = ?, app_id = ?, "
                        + "app_url = ?, app_state = ?, app_diagnostic = ?, end_time = ? WHERE id = ? "
                        + "AND kyuubi_instance = ? AND state NOT IN " + TERMINAL)) {
            s.setString(1, b.state().name());
            s.setString(2, b.appId());
            s.setString(3, b.appUrl());
            s.setString(4, b.appState());
            s.setString(5, b.appDiagnostic());
            s.setLong(6, b.endTime());
            s.setString(7, b.id());
            s.setString(8, b.kyuubiInstance());
            return s.executeUpdate() == 1;
        } catch (SQLException e) {
            throw failed("update batch " + b.id() + " in", e);
        }
    }

    @Override
    public boolean claim(String id, String expectedOwner, String newOwner, long staleBefore)
            throws BatchStoreException {
        try (Connection c = connections.open();
                PreparedStatement s = c.prepareStatement("UPDATE kitsune_batches SET kyuubi_instance = ?, "
                        + "owner_seen = ? WHERE id = ? AND kyuubi_instance = ? AND owner_seen < ? AND state NOT IN "
                        + TERMINAL)) {
            s.setString(1, newOwner);
            s.setLong(2, System.currentTimeMillis());
            s.setString(3, id);
            s.setString(4, expectedOwner);
            s.setLong(5, staleBefore);
            return s.executeUpdate() == 1;
        } catch (SQLException e) {
            throw failed("take over batch " + id + " in", e);
        }
    }

    @Override
    public int heartbeat(String owner, long now) throws BatchStoreException {
        try (Connection c = connections.open();
                PreparedStatement s = c.prepareStatement("UPDATE kitsune_batches SET owner_seen = ? "
                        + "WHERE kyuubi_instance = ? AND state NOT IN " + TERMINAL)) {
            s.setLong(1, now);
            s.setString(2, owner);
            return s.executeUpdate();
        } catch (SQLException e) {
            throw failed("mark the batches of " + owner + " alive in", e);
        }
    }

    @Override
    public List<Batch> unfinished() throws BatchStoreException {
        try (Connection c = connections.open();
                PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM kitsune_batches "
                        + "WHERE state NOT IN " + TERMINAL + " ORDER BY create_time")) {
            List<Batch> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) out.add(row(rs));
            }
            return out;
        } catch (SQLException e) {
            throw failed("list unfinished batches of", e);
        }
    }

    @Override
    public int removeEndedBefore(long epochMillis) throws BatchStoreException {
        try (Connection c = connections.open();
                PreparedStatement s = c.prepareStatement("DELETE FROM kitsune_batches WHERE state IN " + TERMINAL
                        + " AND end_time > 0 AND end_time < ?")) {
            s.setLong(1, epochMillis);
            return s.executeUpdate();
        } catch (SQLException e) {
            throw failed("remove ended batches from", e);
        }
    }

    private static Batch row(ResultSet rs) throws SQLException {
        return new Batch(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), map(rs.getString(7)), list(rs.getString(8)), BatchState.valueOf(rs.getString(9)),
                rs.getString(10), rs.getString(11), rs.getString(12), rs.getString(13), rs.getString(14),
                rs.getLong(15), rs.getLong(16));
    }

    private static String json(Object value) throws SQLException {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new SQLException("Cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    private static Map<String, String> map(String json) throws SQLException {
        if (json == null) return Map.of();
        try {
            return JSON.readValue(json, new TypeReference<Map<String, String>>() { });
        } catch (JsonProcessingException e) {
            throw new SQLException("A batch's conf column is not a JSON object of strings", e);
        }
    }

    private static List<String> list(String json) throws SQLException {
        if (json == null) return List.of();
        try {
            return JSON.readValue(json, new TypeReference<List<String>>() { });
        } catch (JsonProcessingException e) {
            throw new SQLException("A batch's args column is not a JSON array of strings", e);
        }
    }

    private BatchStoreException failed(String what, SQLException e) {
        return new BatchStoreException("Cannot " + what + " the metadata store " + description + ": "
                + e.getMessage() + " (SQLState " + e.getSQLState() + ")", e);
    }

    @Override
    public String toString() {
        return description;
    }
}
