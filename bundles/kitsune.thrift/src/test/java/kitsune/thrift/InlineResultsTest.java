package kitsune.thrift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.apache.hive.service.rpc.thrift.TColumn;
import org.apache.hive.service.rpc.thrift.TExecuteStatementResp;
import org.apache.hive.service.rpc.thrift.TGetOperationStatusResp;
import org.apache.hive.service.rpc.thrift.TGetResultSetMetadataResp;
import org.apache.hive.service.rpc.thrift.TI32Column;
import org.apache.hive.service.rpc.thrift.TOperationState;
import org.apache.hive.service.rpc.thrift.TRowSet;
import org.apache.hive.service.rpc.thrift.TTableSchema;
import org.junit.jupiter.api.Test;

class InlineResultsTest {

    private static InlineResults.Answer answer(int rows) {
        TGetOperationStatusResp status = new TGetOperationStatusResp(Statuses.ok());
        status.setOperationState(TOperationState.FINISHED_STATE);
        TGetResultSetMetadataResp metadata = new TGetResultSetMetadataResp(Statuses.ok());
        metadata.setSchema(new TTableSchema(new ArrayList<>()));
        List<Integer> values = new ArrayList<>();
        for (int i = 0; i < rows; i++) values.add(i);
        TRowSet set = new TRowSet(0, new ArrayList<>());
        set.setColumns(List.of(TColumn.i32Val(new TI32Column(values, ByteBuffer.allocate(0)))));
        return new InlineResults.Answer(status, metadata, set);
    }

    @Test
    void anAnswerGoesThroughTheReplyAndLeavesNothingInIt() throws Exception {
        TExecuteStatementResp reply = new TExecuteStatementResp(Statuses.ok());
        reply.getStatus().setInfoMessages(new ArrayList<>(InlineResults.encode(answer(3), 1 << 20)));
        InlineResults.Answer back = InlineResults.take(reply, 1 << 20);
        assertNotNull(back);
        assertEquals(TOperationState.FINISHED_STATE, back.status().getOperationState());
        assertEquals(List.of(0, 1, 2), back.rows().getColumns().get(0).getI32Val().getValues());
        assertFalse(reply.getStatus().isSetInfoMessages());
    }

    @Test
    void anAnswerLargerThanAllowedIsNeitherSentNorTaken() throws Exception {
        assertNull(InlineResults.encode(answer(10_000), 1000));
        TExecuteStatementResp reply = new TExecuteStatementResp(Statuses.ok());
        reply.getStatus().setInfoMessages(new ArrayList<>(InlineResults.encode(answer(10_000), 1 << 20)));
        assertNull(InlineResults.take(reply, 1000));
        assertFalse(reply.getStatus().isSetInfoMessages(), "taken out all the same");
    }

    @Test
    void anErrorsOwnInfoMessagesStayAndAMalformedAnswerIsDropped() {
        TExecuteStatementResp error = new TExecuteStatementResp(Statuses.error("boom", "42000"));
        error.getStatus().setInfoMessages(new ArrayList<>(List.of("*java.lang.RuntimeException:boom:0:0")));
        assertNull(InlineResults.take(error, 1 << 20));
        assertEquals(1, error.getStatus().getInfoMessagesSize());

        TExecuteStatementResp bad = new TExecuteStatementResp(Statuses.ok());
        bad.getStatus().setInfoMessages(new ArrayList<>(List.of(InlineResults.MARK, "!!", "??", "not base64")));
        assertNull(InlineResults.take(bad, 1 << 20));
        assertFalse(bad.getStatus().isSetInfoMessages());
    }
}
