package kitsune.thrift;

import java.util.Base64;
import java.util.List;

import org.apache.hive.service.rpc.thrift.TExecuteStatementResp;
import org.apache.hive.service.rpc.thrift.TGetOperationStatusResp;
import org.apache.hive.service.rpc.thrift.TGetResultSetMetadataResp;
import org.apache.hive.service.rpc.thrift.TRowSet;
import org.apache.hive.service.rpc.thrift.TStatus;
import org.apache.thrift.TBase;
import org.apache.thrift.TDeserializer;
import org.apache.thrift.TException;
import org.apache.thrift.TSerializer;
import org.apache.thrift.protocol.TCompactProtocol;

/**
 * A short statement's whole answer carried by its ExecuteStatement reply between a Kitsune engine and server: the
 * operation's final status, its result's schema and all of its rows, so that the server answers the client's status
 * poll, metadata call and fetches itself instead of asking the engine for each. The three travel in the reply's
 * {@code status.infoMessages} (which a successful reply otherwise leaves empty), each serialized with Thrift's compact
 * protocol and Base64, after a marker; the server always takes them out before the reply reaches a client. The engine
 * keeps the rows for a normal fetch as well, so a server that does not use them loses nothing.
 *
 * @since 1.6
 */
public final class InlineResults {
    /** The first info message of a reply that carries an inline result. */
    public static final String MARK = "kitsune.inline.v1";

    /**
     * A statement's whole answer; {@code encodedChars} is what it took in the reply (0 for one not decoded from a
     * reply), a measure of the memory it holds.
     */
    public record Answer(TGetOperationStatusResp status, TGetResultSetMetadataResp metadata, TRowSet rows,
            long encodedChars) {
        public Answer(TGetOperationStatusResp status, TGetResultSetMetadataResp metadata, TRowSet rows) {
            this(status, metadata, rows, 0);
        }
    }

    private InlineResults() {
    }

    /**
     * The info messages that carry the answer, or null when they would take more than {@code maxChars} characters.
     */
    public static List<String> encode(Answer answer, int maxChars) throws TException {
        TSerializer out = new TSerializer(new TCompactProtocol.Factory());
        String status = base64(out, answer.status());
        String metadata = base64(out, answer.metadata());
        String rows = base64(out, answer.rows());
        if ((long) status.length() + metadata.length() + rows.length() > maxChars) return null;
        return List.of(MARK, status, metadata, rows);
    }

    /**
     * Takes the inline answer out of an ExecuteStatement reply: info messages that start with {@link #MARK} are
     * removed, so nothing of it reaches a client. Null when the reply carries none, or one that does not decode or is
     * larger than {@code maxChars}.
     */
    public static Answer take(TExecuteStatementResp reply, int maxChars) {
        TStatus status = reply == null ? null : reply.getStatus();
        if (status == null || !status.isSetInfoMessages()) return null;
        List<String> messages = status.getInfoMessages();
        if (messages.isEmpty() || !MARK.equals(messages.get(0))) return null; // an error's own lines stay
        status.unsetInfoMessages();
        if (messages.size() != 4 || !Statuses.isOk(status)) return null;
        long chars = (long) messages.get(1).length() + messages.get(2).length() + messages.get(3).length();
        if (chars > maxChars) return null;
        try {
            TDeserializer in = new TDeserializer(new TCompactProtocol.Factory());
            TGetOperationStatusResp s = new TGetOperationStatusResp();
            in.deserialize(s, Base64.getDecoder().decode(messages.get(1)));
            TGetResultSetMetadataResp m = new TGetResultSetMetadataResp();
            in.deserialize(m, Base64.getDecoder().decode(messages.get(2)));
            TRowSet r = new TRowSet();
            in.deserialize(r, Base64.getDecoder().decode(messages.get(3)));
            if (s.getStatus() == null || m.getStatus() == null || m.getSchema() == null) return null;
            return new Answer(s, m, r, chars);
        } catch (TException | IllegalArgumentException e) {
            return null;
        }
    }

    private static String base64(TSerializer out, TBase<?, ?> value) throws TException {
        return Base64.getEncoder().encodeToString(out.serialize(value));
    }
}
