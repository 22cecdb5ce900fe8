package kitsune.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;
import kitsune.testkit.Zk;

/**
 * A node planted in a victim's engine space (a real listening socket on 127.0.0.1 run by the test, registered so
 * that it sorts newest) receives no secret and no session, whatever it asks for and whatever it answers: the server
 * waits for the engine's proof before it sends anything derived from the secret. Every byte the planted engine
 * receives is recorded. Once the node is gone, the victim's sessions go to the real engine again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlantedEngineTest {
    private static final String SPACE = "/kyuubi_1-spark-4.0_USER_SPARK_SQL/vera/default";
    private static final String SECRET = "victims-engine-secret-5e8c27d1";
    private static final String MECHANISM = "KITSUNE-ENGINE-HMAC-SHA256";
    private static final int START = 1, OK = 2, BAD = 3, ERROR = 4, COMPLETE = 5;

    private KitsuneServer server;
    private ZooKeeper zk;
    private String realEngine;
    private String planted;

    @BeforeAll
    void startServerAndTheVictimsEngine() throws Exception {
        server = new KitsuneServer(Files.createTempDirectory("kitsune-e2e-planted-"))
                .set("kyuubi.engine.security.secret.provider.simple.secret", SECRET)
                .set("kyuubi.session.engine.login.timeout", "PT5S").start();
        zk = Zk.connect(server.zkConnect());
        try (Connection c = Jdbc.connect(server.directUrl(), "vera")) {
            assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());
        }
        List<String> nodes = zk.getChildren(SPACE, false);
        assertEquals(1, nodes.size(), nodes.toString());
        realEngine = Zk.hostPort(zk.getData(SPACE + "/" + nodes.get(0), false, null));
    }

    @AfterAll
    void stop() throws Exception {
        if (zk != null) zk.close();
        if (server != null) server.close();
    }

    @AfterEach
    void removeThePlantedNodeAndTheVictimGetsTheRealEngineAgain() throws Exception {
        if (planted != null) zk.delete(planted, -1);
        planted = null;
        try (Connection c = Jdbc.connect(server.directUrl(), "vera")) {
            assertEquals(2, ((Number) Jdbc.single(c, "SELECT 2")).intValue());
        }
    }

    @Test
    void aPlantedEngineAnsweringTheChallengeWithoutTheSecretLearnsNothingAndGetsNoSession() throws Exception {
        try (FakeEngine fake = new FakeEngine(FakeEngine.Mode.ANSWER, null)) {
            plant(fake.port(), "kitsune.engine.auth=HMAC;");
            SQLException e = firstStatementFails(server.directUrl(), "vera");
            assertTrue(e.getMessage().contains("Cannot log in to the engine at 127.0.0.1:" + fake.port()),
                    e.getMessage());
            assertTrue(e.getMessage().contains("the engine did not prove that it knows the engine secret"),
                    e.getMessage());

            for (byte[] received : fake.received()) {
                assertNoSecretIn(received);
                List<Message> messages = messages(received);
                assertEquals(START, messages.get(0).status);
                assertEquals(MECHANISM, new String(messages.get(0).payload, StandardCharsets.UTF_8));
                assertEquals(OK, messages.get(1).status);
                assertEquals(1 + 32 + ("127.0.0.1:" + fake.port()).length(), messages.get(1).payload.length,
                        "version, the server's nonce and the address it dialled: nothing derived from the secret");
                assertTrue(messages.size() == 2 || messages.size() == 3 && messages.get(2).status == BAD,
                        "then at most the server's refusal, no proof of its own: " + messages);
                assertFalse(new String(received, StandardCharsets.ISO_8859_1).contains("OpenSession"), "no session");
            }
        }
    }

    @Test
    void aPlantedEngineRelayingTheChallengeToTheRealEngineGetsNoSession() throws Exception {
        try (FakeEngine relay = new FakeEngine(FakeEngine.Mode.RELAY, realEngine)) {
            plant(relay.port(), "kitsune.engine.auth=HMAC;");
            SQLException e = firstStatementFails(server.directUrl(), "vera");
            assertTrue(e.getMessage().contains("Cannot log in to the engine at 127.0.0.1:" + relay.port()),
                    e.getMessage());
            assertTrue(e.getMessage().contains("the login was meant for another address than " + realEngine),
                    "the real engine refused the relayed challenge: " + e.getMessage());

            for (byte[] received : relay.received()) {
                assertNoSecretIn(received);
                assertEquals(List.of(START, OK), messages(received).stream().map(m -> m.status).toList(),
                        "no proof of the server passed through the relay");
            }
        }
    }

    /**
     * A user can run code in their own engine and so read what it was given. Pointing a node in the victim's space at
     * that engine (the attacker's code could answer in its place) gets it nothing: it knows its own space's secret
     * only, not the victim's.
     */
    @Test
    void anotherUsersEngineCannotProveItselfForTheVictimsSpace() throws Exception {
        String aliceSpace = SPACE.replace("/vera/", "/alice/");
        try (Connection c = Jdbc.connect(server.directUrl(), "alice")) {
            assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());
        }
        List<String> nodes = zk.getChildren(aliceSpace, false);
        String alicesEngine = Zk.hostPort(zk.getData(aliceSpace + "/" + nodes.get(0), false, null));
        plant(Integer.parseInt(alicesEngine.substring(alicesEngine.indexOf(':') + 1)), "kitsune.engine.auth=HMAC;");

        SQLException e = firstStatementFails(server.directUrl(), "vera");
        assertTrue(e.getMessage().contains("Cannot log in to the engine at " + alicesEngine), e.getMessage());
        assertTrue(e.getMessage().contains("the engine did not prove that it knows the engine secret"),
                e.getMessage());
        try (Connection c = Jdbc.connect(server.directUrl(), "alice")) {
            assertEquals(3, ((Number) Jdbc.single(c, "SELECT 3")).intValue(), "alice's engine serves alice");
        }
    }

    @Test
    void aPlantedNodeAskingForTheSecretInClearOrForNoLoginGetsNotEvenAConnection() throws Exception {
        for (String attributes : List.of("kitsune.engine.auth=PLAIN;", "")) {
            try (FakeEngine fake = new FakeEngine(FakeEngine.Mode.ANSWER, null)) {
                plant(fake.port(), attributes);
                SQLException e = firstStatementFails(server.directUrl(), "vera");
                String expected = attributes.isEmpty()
                        ? "takes connections without a login, so it cannot prove that it is an engine of this namespace"
                        : "asks for the engine secret in clear (kitsune.engine.auth=PLAIN, an engine of an older "
                                + "Kitsune, or a node planted in its engine space): this server does not send it";
                assertTrue(e.getMessage().contains("The engine at 127.0.0.1:" + fake.port()), e.getMessage());
                assertTrue(e.getMessage().contains(expected), e.getMessage());
                assertEquals(0, fake.connections(), "nothing was sent to it");
                zk.delete(planted, -1);
                planted = null;
            }
        }
    }

    private void plant(int port, String attributes) throws Exception {
        String hostPort = "127.0.0.1:" + port;
        planted = zk.create(SPACE + "/serverUri=" + hostPort + ";version=1-spark-4.0;" + attributes
                + "refId=planted;sequence=", hostPort.getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.PERSISTENT_SEQUENTIAL);
        List<String> nodes = new ArrayList<>(zk.getChildren(SPACE, false));
        nodes.sort((a, b) -> a.substring(a.lastIndexOf("sequence=")).compareTo(b.substring(b.lastIndexOf(
                "sequence="))));
        assertTrue(planted.endsWith(nodes.get(nodes.size() - 1)), "the planted node sorts newest: " + nodes);
    }

    private static void assertNoSecretIn(byte[] received) {
        assertTrue(received.length > 0, "the server connected");
        String text = new String(received, StandardCharsets.ISO_8859_1);
        assertFalse(text.contains(SECRET), "the secret reached the planted engine");
        assertFalse(text.contains("PLAIN"), "no PLAIN login was tried");
    }

    private record Message(int status, byte[] payload) {
        @Override
        public String toString() {
            return status + "(" + payload.length + " bytes)";
        }
    }

    /** The SASL negotiation messages in what the server sent (status byte, 4-byte length, payload). */
    private static List<Message> messages(byte[] bytes) {
        List<Message> messages = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.remaining() >= 5) {
            int status = b.get();
            int length = b.getInt();
            assertTrue(length >= 0 && length <= b.remaining(), "a whole SASL message: " + Arrays.toString(bytes));
            byte[] payload = new byte[length];
            b.get(payload);
            messages.add(new Message(status, payload));
        }
        assertEquals(0, b.remaining(), "nothing but SASL messages");
        return messages;
    }

    /**
     * The planted engine: records every byte servers send it. ANSWER plays the engine's side of the challenge as well
     * as one can without the secret (a fresh nonce and a random proof); RELAY passes the bytes on to the real engine
     * and its answers back.
     */
    private static final class FakeEngine implements AutoCloseable {
        enum Mode { ANSWER, RELAY }

        private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        /** What each connection received. */
        private final List<ByteArrayOutputStream> received = new CopyOnWriteArrayList<>();
        private final AtomicInteger connections = new AtomicInteger();
        private final AtomicInteger ended = new AtomicInteger();
        private final List<Socket> open = new CopyOnWriteArrayList<>();

        FakeEngine(Mode mode, String relayTo) throws IOException {
            Thread t = new Thread(() -> {
                while (!listener.isClosed()) {
                    try {
                        Socket s = listener.accept();
                        open.add(s);
                        connections.incrementAndGet();
                        Thread c = new Thread(() -> serve(s, mode, relayTo), "planted-engine-connection");
                        c.setDaemon(true);
                        c.start();
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "planted-engine");
            t.setDaemon(true);
            t.start();
        }

        private void serve(Socket s, Mode mode, String relayTo) {
            ByteArrayOutputStream record = new ByteArrayOutputStream();
            received.add(record);
            try (s) {
                InputStream in = new RecordingInput(s.getInputStream(), record);
                if (mode == Mode.ANSWER) {
                    DataInputStream data = new DataInputStream(in);
                    for (int i = 0; i < 2; i++) { // START with the mechanism, OK with the server's challenge
                        data.readByte();
                        data.readFully(new byte[data.readInt()]);
                    }
                    byte[] answer = new byte[64];
                    new SecureRandom().nextBytes(answer);
                    DataOutputStream out = new DataOutputStream(s.getOutputStream());
                    out.writeByte(OK);
                    out.writeInt(answer.length);
                    out.write(answer);
                    out.flush();
                    in.transferTo(OutputStream.nullOutputStream());
                } else {
                    String[] hp = relayTo.split(":");
                    try (Socket engine = new Socket(hp[0], Integer.parseInt(hp[1]))) {
                        Thread back = new Thread(() -> {
                            try {
                                engine.getInputStream().transferTo(s.getOutputStream());
                            } catch (IOException ended) {
                                // one side closed
                            }
                        }, "planted-engine-relay");
                        back.setDaemon(true);
                        back.start();
                        in.transferTo(engine.getOutputStream());
                    }
                }
            } catch (IOException e) {
                // the server closed the connection (a finished login ends the same way)
            } finally {
                ended.incrementAndGet();
            }
        }

        int port() {
            return listener.getLocalPort();
        }

        int connections() {
            return connections.get();
        }

        /** What servers sent on each connection, once every connection they opened has ended. */
        List<byte[]> received() {
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> ended.get() == connections.get());
            assertFalse(received.isEmpty(), "the server connected");
            List<byte[]> all = new ArrayList<>();
            for (ByteArrayOutputStream r : received) {
                synchronized (r) {
                    all.add(r.toByteArray());
                }
            }
            return all;
        }

        @Override
        public void close() throws IOException {
            listener.close();
            for (Socket s : open) s.close();
        }

        private static final class RecordingInput extends InputStream {
            private final InputStream in;
            private final ByteArrayOutputStream received;

            RecordingInput(InputStream in, ByteArrayOutputStream received) {
                this.in = in;
                this.received = received;
            }

            @Override
            public int read() throws IOException {
                int b = in.read();
                if (b >= 0) {
                    synchronized (received) {
                        received.write(b);
                    }
                }
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = in.read(buf, off, len);
                if (n > 0) {
                    synchronized (received) {
                        received.write(buf, off, n);
                    }
                }
                return n;
            }
        }
    }

    /** Kyuubi's asynchronous launch: the login answers, and the session's first statement gets the engine's error. */
    private static SQLException firstStatementFails(String url, String user) throws SQLException {
        try (Connection c = Jdbc.connect(url, user)) {
            return assertThrows(SQLException.class, () -> Jdbc.single(c, "SELECT 1"));
        }
    }
}
