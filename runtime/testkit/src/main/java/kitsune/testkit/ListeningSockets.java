package kitsune.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** The local addresses TCP sockets listen on, as the Linux kernel reports them (/proc/net/tcp and tcp6). */
public final class ListeningSockets {
    private ListeningSockets() {
    }

    /** Every address a socket listens on at this port, e.g. [127.0.0.1], or [0.0.0.0] / [::] for all interfaces. */
    public static List<String> addressesOf(int port) throws IOException {
        List<String> found = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path file = Path.of(table);
            if (!Files.exists(file)) continue;
            List<String> lines = Files.readAllLines(file);
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 4 || !f[3].equals("0A")) continue; // 0A: LISTEN
                String[] local = f[1].split(":");
                if (Integer.parseInt(local[1], 16) != port) continue;
                found.add(decode(local[0]));
            }
        }
        return found;
    }

    /** The kernel writes each 32-bit word of the address in host (little-endian) byte order. */
    private static String decode(String hex) throws IOException {
        byte[] raw = HexFormat.of().parseHex(hex);
        byte[] address = new byte[raw.length];
        for (int word = 0; word < raw.length; word += 4) {
            for (int i = 0; i < 4; i++) address[word + i] = raw[word + 3 - i];
        }
        return InetAddress.getByAddress(address).getHostAddress();
    }
}
