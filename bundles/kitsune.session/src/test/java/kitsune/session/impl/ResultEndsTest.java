package kitsune.session.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.apache.hive.service.rpc.thrift.TColumn;
import org.apache.hive.service.rpc.thrift.TColumnValue;
import org.apache.hive.service.rpc.thrift.TFetchResultsResp;
import org.apache.hive.service.rpc.thrift.TI64Column;
import org.apache.hive.service.rpc.thrift.TRow;
import org.apache.hive.service.rpc.thrift.TRowSet;
import org.apache.hive.service.rpc.thrift.TStringColumn;
import org.junit.jupiter.api.Test;

import kitsune.thrift.Statuses;

class ResultEndsTest {
    private static final ByteBuffer NO_NULLS = ByteBuffer.wrap(new byte[] {0});

    @Test
    void theEndOfAColumnarResultHasItsColumnsEmptyAndTheOffsetAfterTheLastRows() {
        TRowSet last = new TRowSet(10, new ArrayList<>());
        last.setColumns(List.of(TColumn.i64Val(new TI64Column(List.of(1L, 2L, 3L), NO_NULLS)),
                TColumn.stringVal(new TStringColumn(List.of("a", "b", "c"), NO_NULLS))));
        last.setColumnCount(2);
        TRowSet end = ResultEnds.emptyAfter(last);
        assertEquals(13, end.getStartRowOffset());
        assertEquals(2, end.getColumnsSize());
        assertEquals(2, end.getColumnCount());
        assertTrue(end.getColumns().get(0).isSetI64Val());
        assertEquals(0, end.getColumns().get(0).getI64Val().getValuesSize());
        assertTrue(end.getColumns().get(1).isSetStringVal());
        assertEquals(0, end.getColumns().get(1).getStringVal().getValuesSize());
        assertEquals(0, end.getRowsSize());
    }

    @Test
    void theEndOfARowBasedResultFollowsItsRows() {
        org.apache.hive.service.rpc.thrift.TStringValue x = new org.apache.hive.service.rpc.thrift.TStringValue();
        x.setValue("x");
        TRowSet last = new TRowSet(4, new ArrayList<>(List.of(new TRow(List.of(TColumnValue.stringVal(x))))));
        TRowSet end = ResultEnds.emptyAfter(last);
        assertEquals(5, end.getStartRowOffset());
        assertEquals(0, end.getRowsSize());
        assertFalse(end.isSetColumns());
    }

    @Test
    void aCompressedResultIsNotRebuiltSoItsEndIsAskedOfTheEngine() {
        TRowSet last = new TRowSet(0, new ArrayList<>());
        last.setBinaryColumns(new byte[] {1, 2, 3});
        assertNull(ResultEnds.emptyAfter(last));
        assertNull(ResultEnds.emptyAfter(null));
    }

    @Test
    void theAnswerSaysOkNoRowsAndNoMoreAndIsACopyEachTime() {
        TRowSet last = new TRowSet(0, new ArrayList<>());
        last.setColumns(List.of(TColumn.i64Val(new TI64Column(List.of(7L), NO_NULLS))));
        TRowSet end = ResultEnds.emptyAfter(last);
        TFetchResultsResp a = ResultEnds.answer(end);
        assertTrue(Statuses.isOk(a.getStatus()));
        assertFalse(a.isHasMoreRows());
        assertEquals(1, a.getResults().getStartRowOffset());
        a.getResults().getColumns().get(0).getI64Val().addToValues(9L);
        assertEquals(0, ResultEnds.answer(end).getResults().getColumns().get(0).getI64Val().getValuesSize());
    }
}
