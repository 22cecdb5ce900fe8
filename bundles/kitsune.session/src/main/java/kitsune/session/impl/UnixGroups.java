package kitsune.session.impl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A user's primary group as the operating system knows it, asked with {@code id -gn} as Hadoop's (and so Kyuubi's)
 * default group mapping does, and remembered for five minutes. Only plain user names are asked about (no shell is
 * involved, but a name that starts like an option is refused anyway); an unknown user, a missing {@code id} or a
 * slow answer gives nothing.
 */
final class UnixGroups {
    private static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._@$-]{0,63}");
    private static final Duration REMEMBERED = Duration.ofMinutes(5);
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final Map<String, Answer> ANSWERS = new ConcurrentHashMap<>();

    private record Answer(Optional<String> group, long at) {
    }

    private UnixGroups() {
    }

    static Optional<String> primaryGroup(String user) {
        if (user == null || !USER_NAME.matcher(user).matches()) return Optional.empty();
        long now = System.nanoTime();
        Answer known = ANSWERS.get(user);
        if (known != null && now - known.at() < REMEMBERED.toNanos()) return known.group();
        Optional<String> group = ask(user);
        ANSWERS.put(user, new Answer(group, now));
        return group;
    }

    private static Optional<String> ask(String user) {
        try {
            Process p = new ProcessBuilder("id", "-gn", "--", user).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            try (InputStream in = p.getInputStream()) {
                if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    return Optional.empty();
                }
                String out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
                return p.exitValue() == 0 && !out.isEmpty() && !out.contains("\n") ? Optional.of(out)
                        : Optional.empty();
            }
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
