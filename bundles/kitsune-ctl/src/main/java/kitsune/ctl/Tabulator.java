package kitsune.ctl;

import java.util.List;

/**
 * Renders a titled table as kyuubi-ctl does (its Tabulator over FlipTable): an empty line, the title centred over the
 * table's width, the box-drawn table, then {@code N row(s)}. Null cells are shown as N/A; a cell with line breaks
 * takes as many lines as it has, as FlipTable draws it.
 */
final class Tabulator {
    private Tabulator() {
    }

    static String format(String title, List<String> headers, List<List<String>> rows) {
        int cols = headers.size();
        int[] widths = new int[cols];
        for (int c = 0; c < cols; c++) widths[c] = headers.get(c).length();
        for (List<String> row : rows) {
            for (int c = 0; c < cols; c++) {
                for (String l : cell(row, c).split("\n", -1)) widths[c] = Math.max(widths[c], l.length());
            }
        }
        StringBuilder table = new StringBuilder();
        divider(table, widths, '╔', '═', '╤', '╗');
        line(table, widths, headers);
        if (rows.isEmpty()) {
            divider(table, widths, '╠', '═', '╧', '╣');
            int inner = 0;
            for (int w : widths) inner += w + 2;
            inner += cols - 1;
            table.append('║').append(pad(" (empty)", inner)).append("║\n");
            divider(table, new int[] {inner - 2}, '╚', '═', '═', '╝');
        } else {
            for (int r = 0; r < rows.size(); r++) {
                if (r == 0) divider(table, widths, '╠', '═', '╪', '╣');
                else divider(table, widths, '╟', '─', '┼', '╢');
                line(table, widths, rows.get(r));
            }
            divider(table, widths, '╚', '═', '╧', '╝');
        }
        int width = table.indexOf("\n");
        return "\n" + center(title, width) + "\n" + table + rows.size() + " row(s)\n";
    }

    private static String cell(List<String> row, int c) {
        String v = c < row.size() ? row.get(c) : null;
        return v == null ? "N/A" : v;
    }

    private static void divider(StringBuilder sb, int[] widths, char left, char fill, char cross, char right) {
        sb.append(left);
        for (int c = 0; c < widths.length; c++) {
            if (c > 0) sb.append(cross);
            sb.append(String.valueOf(fill).repeat(widths[c] + 2));
        }
        sb.append(right).append('\n');
    }

    private static void line(StringBuilder sb, int[] widths, List<String> cells) {
        String[][] lines = new String[widths.length][];
        int height = 1;
        for (int c = 0; c < widths.length; c++) {
            lines[c] = cell(cells, c).split("\n", -1);
            height = Math.max(height, lines[c].length);
        }
        for (int l = 0; l < height; l++) {
            sb.append('║');
            for (int c = 0; c < widths.length; c++) {
                if (c > 0) sb.append('│');
                sb.append(' ').append(pad(l < lines[c].length ? lines[c][l] : "", widths[c])).append(' ');
            }
            sb.append("║\n");
        }
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    /** Apache Commons' StringUtils.center: spaces split evenly, the odd one on the right. */
    static String center(String s, int size) {
        int pads = size - s.length();
        if (pads <= 0) return s;
        int left = pads / 2;
        return " ".repeat(left) + s + " ".repeat(pads - left);
    }
}
