package kitsune.metrics.impl;

import java.util.Locale;
import java.util.function.Consumer;

import org.slf4j.LoggerFactory;

import kitsune.api.events.OperationEvent;
import kitsune.api.events.SessionEvent;

/**
 * One line per login, session open/close and statement on the logger {@value #LOGGER}, for operators to route to a
 * file of its own. Fields are {@code name=value}; a value with spaces, quotes or control characters is quoted with
 * them escaped, so a client's text can never start a line of its own or forge a field. Statement texts are cut at
 * {@value #MAX_STATEMENT} characters. No password reaches this class: logins carry the user name only, sessions no
 * settings.
 */
final class AuditLog {
    static final String LOGGER = "kitsune.audit";
    static final int MAX_STATEMENT = 2000;
    private final Consumer<String> out;

    AuditLog() {
        this(LoggerFactory.getLogger(LOGGER)::info);
    }

    /** @param out where each line goes (the logger's info) */
    AuditLog(Consumer<String> out) {
        this.out = out;
    }

    void login(String authType, String user, String client, String refusal) {
        if (refusal == null) {
            out.accept(line("login", "result", "accepted", "user", user, "client", client, "auth", authType));
        } else {
            out.accept(line("login", "result", "refused", "user", user, "client", client, "auth", authType, "reason",
                    refusal));
        }
    }

    void sessionOpened(SessionEvent s) {
        out.accept(line("session-open", "session", s.sessionId(), "user", s.user(), "login", s.login(), "client",
                s.clientIP(), "engineSpace", s.engineSpace(), "engine", s.engineAddress()));
    }

    void sessionClosed(SessionEvent s) {
        out.accept(line("session-close", "session", s.sessionId(), "user", s.user(), "client", s.clientIP(),
                "engineSpace", s.engineSpace(), "engine", s.engineAddress(), "operations",
                String.valueOf(s.totalOperations()), "durationMs", String.valueOf(Math.max(0, s.endTime()
                        - s.startTime())), "reason", s.reason()));
    }

    void statement(OperationEvent o) {
        out.accept(line("statement", "session", o.sessionId(), "user", o.sessionUser(), "client", o.clientIP(),
                "operation", o.statementId(), "state", o.state(), "durationMs",
                String.valueOf(Math.max(0, o.completeTime() - o.createTime())), "statement",
                truncate(o.statement()), "error", o.exception() == null ? null : truncate(o.exception())));
    }

    /** {@code what k1=v1 k2=v2 ...}, leaving out null values. */
    static String line(String what, String... pairs) {
        StringBuilder sb = new StringBuilder(what);
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            if (pairs[i + 1] == null) continue;
            sb.append(' ').append(pairs[i]).append('=');
            value(sb, pairs[i + 1]);
        }
        return sb.toString();
    }

    static String truncate(String text) {
        if (text == null || text.length() <= MAX_STATEMENT) return text;
        return text.substring(0, MAX_STATEMENT) + "...(" + (text.length() - MAX_STATEMENT) + " more chars)";
    }

    private static void value(StringBuilder sb, String v) {
        boolean plain = !v.isEmpty();
        for (int i = 0; i < v.length() && plain; i++) {
            char c = v.charAt(i);
            plain = c > ' ' && c != '"' && c != '\\' && c != '=' && c < 0x7f;
        }
        if (plain) {
            sb.append(v);
            return;
        }
        sb.append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < ' ' || c == 0x7f || Character.getType(c) == Character.LINE_SEPARATOR
                            || Character.getType(c) == Character.PARAGRAPH_SEPARATOR
                            || Character.getType(c) == Character.FORMAT) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
