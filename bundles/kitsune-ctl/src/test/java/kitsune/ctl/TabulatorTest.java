package kitsune.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import kitsune.api.registry.ServiceNode;

class TabulatorTest {

    @Test
    void rendersLikeKyuubiCtl() {
        // the exact string of kyuubi-ctl's ControlCliSuite "test render"
        String expected = "\n"
                + "                test render                \n"
                + "╔═══════════╤═══════════╤═══════╤═════════╗\n"
                + "║ Namespace │ Host      │ Port  │ Version ║\n"
                + "╠═══════════╪═══════════╪═══════╪═════════╣\n"
                + "║ /kyuubi   │ localhost │ 10000 │ version ║\n"
                + "╚═══════════╧═══════════╧═══════╧═════════╝\n"
                + "1 row(s)\n";
        assertEquals(expected, Tabulator.format("test render", KitsuneCtl.HEADERS,
                List.of(List.of("/kyuubi", "localhost", "10000", "version"))));
    }

    @Test
    void separatesRowsAndRendersServiceNodes() {
        ServiceNode a = ServiceNode.parse("/kyuubi", "serverUri=h1:10009;version=0.1.0;sequence=0000000000", "h1:10009");
        ServiceNode b = ServiceNode.parse("/kyuubi", "serverUri=host-two:10010;version=0.1.0;sequence=0000000001",
                "host-two:10010");
        String expected = "\n"
                + "         Zookeeper service nodes          \n"
                + "╔═══════════╤══════════╤═══════╤═════════╗\n"
                + "║ Namespace │ Host     │ Port  │ Version ║\n"
                + "╠═══════════╪══════════╪═══════╪═════════╣\n"
                + "║ /kyuubi   │ h1       │ 10009 │ 0.1.0   ║\n"
                + "╟───────────┼──────────┼───────┼─────────╢\n"
                + "║ /kyuubi   │ host-two │ 10010 │ 0.1.0   ║\n"
                + "╚═══════════╧══════════╧═══════╧═════════╝\n"
                + "2 row(s)\n";
        assertEquals(expected, KitsuneCtl.render("Zookeeper service nodes", List.of(a, b)));
    }

    @Test
    void emptyTableAndNullCells() {
        String expected = "\n"
                + "   Deleted zookeeper service nodes   \n"
                + "╔═══════════╤══════╤══════╤═════════╗\n"
                + "║ Namespace │ Host │ Port │ Version ║\n"
                + "╠═══════════╧══════╧══════╧═════════╣\n"
                + "║ (empty)                           ║\n"
                + "╚═══════════════════════════════════╝\n"
                + "0 row(s)\n";
        assertEquals(expected, KitsuneCtl.render("Deleted zookeeper service nodes", List.of()));
        String withNull = Tabulator.format("t", List.of("A", "B"), List.of(java.util.Arrays.asList("x", null)));
        assertEquals("\n     t     \n╔═══╤═════╗\n║ A │ B   ║\n╠═══╪═════╣\n║ x │ N/A ║\n╚═══╧═════╝\n1 row(s)\n",
                withNull);
    }

    @Test
    void aCellWithLineBreaksTakesAsManyLines() {
        String t = Tabulator.format("T", java.util.List.of("Id", "Conf"),
                java.util.List.of(java.util.List.of("s1", "a=1\nbb=22")));
        assertEquals("\n"
                + "      T       \n"
                + "╔════╤═══════╗\n"
                + "║ Id │ Conf  ║\n"
                + "╠════╪═══════╣\n"
                + "║ s1 │ a=1   ║\n"
                + "║    │ bb=22 ║\n"
                + "╚════╧═══════╝\n"
                + "1 row(s)\n", t);
    }

    @Test
    void centersAsCommonsLangDoes() {
        assertEquals(" ab  ", Tabulator.center("ab", 5));
        assertEquals("abcdef", Tabulator.center("abcdef", 3));
    }
}
