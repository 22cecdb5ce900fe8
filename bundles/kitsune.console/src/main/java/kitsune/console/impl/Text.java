package kitsune.console.impl;

import java.util.ArrayList;
import java.util.List;

/** Small text helpers: plain tables for the shell and HTML escaping for the page. */
final class Text {
    private Text() {
    }

    /** A table with a header, columns padded to their widest cell, and a row count, as kitsune-ctl prints. */
    static String table(List<String> header, List<List<String>> rows) {
        int[] w = new int[header.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (List<String> r : all) {
            for (int i = 0; i < w.length; i++) w[i] = Math.max(w[i], cell(r, i).length());
        }
        StringBuilder sb = new StringBuilder();
        line(sb, header, w);
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < w.length; i++) rule.append(i == 0 ? "" : "  ").append("-".repeat(w[i]));
        sb.append(rule).append('\n');
        for (List<String> r : rows) line(sb, r, w);
        sb.append(rows.size()).append(rows.size() == 1 ? " row" : " rows").append('\n');
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> r, int[] w) {
        StringBuilder l = new StringBuilder();
        for (int i = 0; i < w.length; i++) {
            String c = cell(r, i);
            l.append(i == 0 ? "" : "  ").append(c).append(" ".repeat(w[i] - c.length()));
        }
        sb.append(l.toString().stripTrailing()).append('\n');
    }

    private static String cell(List<String> r, int i) {
        String c = i < r.size() ? r.get(i) : "";
        return c == null ? "" : c;
    }

    /** Escapes for HTML element content and quoted attribute values. */
    static String html(Object value) {
        if (value == null) return "";
        String s = String.valueOf(value);
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
