package kitsune.thrift;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import javax.security.sasl.SaslClient;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;

import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.TTransport;
import org.apache.thrift.transport.TTransportException;
import org.junit.jupiter.api.Test;

/**
 * The login between server and engine: both prove they know the engine secret, the engine first, and nothing the
 * server sends before the engine's proof is checked depends on the secret.
 */
class EngineChallengeTest {
    private static final String SECRET = "the-engine-secret-of-this-namespace";
    private static final String ADDRESS = "127.0.0.1:40001";

    @Test
    void eachEngineSpaceHasASecretOfItsOwnThatDoesNotRevealTheServersSecret() {
        String alice = EngineChallenge.spaceSecret("servers-secret", "/kyuubi_1-spark-4.0_USER_SPARK_SQL/alice/default");
        String bob = EngineChallenge.spaceSecret("servers-secret", "/kyuubi_1-spark-4.0_USER_SPARK_SQL/bob/default");
        assertEquals(alice, EngineChallenge.spaceSecret("servers-secret",
                "/kyuubi_1-spark-4.0_USER_SPARK_SQL/alice/default"), "every server derives the same");
        assertFalse(alice.equals(bob));
        assertFalse(alice.contains("servers-secret"));
        assertFalse(alice.equals(EngineChallenge.spaceSecret("another-secret",
                "/kyuubi_1-spark-4.0_USER_SPARK_SQL/alice/default")));
        assertEquals(43, alice.length(), "32 bytes, base64url");
    }

    @Test
    void aServerAndAnEngineWithTheSameSecretLogInAndEachChecksTheOther() throws Exception {
        SaslClient server = EngineChallenge.client(SECRET, ADDRESS);
        SaslServer engine = EngineChallenge.server(SECRET, ADDRESS);
        byte[] challenge = engine.evaluateResponse(server.evaluateChallenge(new byte[0]));
        assertFalse(engine.isComplete());
        byte[] answer = server.evaluateChallenge(challenge);
        assertTrue(server.isComplete());
        engine.evaluateResponse(answer);
        assertTrue(engine.isComplete());
    }

    @Test
    void whatTheServerSendsFirstDoesNotDependOnTheSecret() throws Exception {
        byte[] first = EngineChallenge.client(SECRET, ADDRESS).evaluateChallenge(new byte[0]);
        assertEquals(1 + EngineChallenge.NONCE_BYTES + ADDRESS.length(), first.length, "version, nonce, address");
        assertEquals(EngineChallenge.VERSION, first[0]);
        assertArrayEquals(ADDRESS.getBytes(StandardCharsets.UTF_8),
                Arrays.copyOfRange(first, 1 + EngineChallenge.NONCE_BYTES, first.length));
        byte[] other = EngineChallenge.client(SECRET, ADDRESS).evaluateChallenge(new byte[0]);
        assertFalse(Arrays.equals(first, other), "a fresh nonce each time");
    }

    @Test
    void anEngineWithAnotherSecretIsRefusedBeforeTheServerProvesAnything() throws Exception {
        SaslClient server = EngineChallenge.client(SECRET, ADDRESS);
        SaslServer fake = EngineChallenge.server("a-guess", ADDRESS);
        byte[] challenge = fake.evaluateResponse(server.evaluateChallenge(new byte[0]));
        SaslException e = assertThrows(SaslException.class, () -> server.evaluateChallenge(challenge));
        assertEquals("the engine did not prove that it knows the engine secret", e.getMessage());
        assertFalse(server.isComplete());
    }

    @Test
    void aFakeEngineAnsweringWithRandomBytesOrNothingIsRefused() throws Exception {
        for (byte[] answer : new byte[][] {new byte[64], new byte[0], new byte[63], "x".repeat(65).getBytes()}) {
            SaslClient server = EngineChallenge.client(SECRET, ADDRESS);
            server.evaluateChallenge(new byte[0]);
            assertThrows(SaslException.class, () -> server.evaluateChallenge(answer));
        }
    }

    @Test
    void aServerWithoutTheSecretIsRefusedByTheEngine() throws Exception {
        SaslServer engine = EngineChallenge.server(SECRET, ADDRESS);
        byte[] hello = EngineChallenge.client("a-guess", ADDRESS).evaluateChallenge(new byte[0]);
        byte[] challenge = engine.evaluateResponse(hello);
        // the best a guesser can answer: a proof made with its guess over the right nonces and address
        byte[] guessed = EngineChallenge.proof("a-guess".getBytes(StandardCharsets.UTF_8), "server",
                Arrays.copyOfRange(hello, 1, 1 + EngineChallenge.NONCE_BYTES),
                Arrays.copyOfRange(challenge, 0, EngineChallenge.NONCE_BYTES), ADDRESS.getBytes());
        SaslException e = assertThrows(SaslException.class, () -> engine.evaluateResponse(guessed));
        assertEquals(EngineChallenge.REFUSAL, e.getMessage());
        assertFalse(engine.isComplete());
        // the engine's own proof, sent back as the server's, is no answer either (the roles differ)
        SaslServer engine2 = EngineChallenge.server(SECRET, ADDRESS);
        byte[] challenge2 = engine2.evaluateResponse(hello);
        assertThrows(SaslException.class, () -> engine2.evaluateResponse(
                Arrays.copyOfRange(challenge2, EngineChallenge.NONCE_BYTES, challenge2.length)));
    }

    @Test
    void aReplayedServerAnswerIsRefusedByAnotherHandshake() throws Exception {
        SaslClient server = EngineChallenge.client(SECRET, ADDRESS);
        SaslServer engine = EngineChallenge.server(SECRET, ADDRESS);
        byte[] hello = server.evaluateChallenge(new byte[0]);
        byte[] answer = server.evaluateChallenge(engine.evaluateResponse(hello));
        engine.evaluateResponse(answer);
        assertTrue(engine.isComplete());

        // an eavesdropper replays the whole recorded conversation to the engine: it picks a new nonce
        SaslServer again = EngineChallenge.server(SECRET, ADDRESS);
        again.evaluateResponse(hello);
        SaslException e = assertThrows(SaslException.class, () -> again.evaluateResponse(answer));
        assertEquals(EngineChallenge.REFUSAL, e.getMessage());
        assertFalse(again.isComplete());
    }

    @Test
    void aReplayedEngineAnswerIsRefusedByAnotherHandshake() throws Exception {
        SaslClient first = EngineChallenge.client(SECRET, ADDRESS);
        byte[] recorded = EngineChallenge.server(SECRET, ADDRESS).evaluateResponse(first.evaluateChallenge(
                new byte[0]));
        assertTrue(first.evaluateChallenge(recorded).length > 0, "valid in its own handshake");

        SaslClient next = EngineChallenge.client(SECRET, ADDRESS);
        next.evaluateChallenge(new byte[0]);
        assertThrows(SaslException.class, () -> next.evaluateChallenge(recorded));
        assertFalse(next.isComplete());
    }

    @Test
    void aChallengeRelayedToAnEngineAtAnotherAddressIsRefusedAndARewrittenOneDoesNotVerify() throws Exception {
        SaslClient server = EngineChallenge.client(SECRET, "127.0.0.1:40002"); // the planted node's address
        SaslServer realEngine = EngineChallenge.server(SECRET, ADDRESS);
        byte[] hello = server.evaluateChallenge(new byte[0]);
        SaslException e = assertThrows(SaslException.class, () -> realEngine.evaluateResponse(hello));
        assertTrue(e.getMessage().startsWith(EngineChallenge.REFUSAL), e.getMessage());

        // the relay rewrites the address: the engine answers, but for its own address, which the server refuses
        byte[] rewritten = Arrays.copyOf(hello, 1 + EngineChallenge.NONCE_BYTES + ADDRESS.length());
        System.arraycopy(ADDRESS.getBytes(), 0, rewritten, 1 + EngineChallenge.NONCE_BYTES, ADDRESS.length());
        byte[] challenge = EngineChallenge.server(SECRET, ADDRESS).evaluateResponse(rewritten);
        assertThrows(SaslException.class, () -> server.evaluateChallenge(challenge));
    }

    // ---- over real sockets, with Thrift's SASL transport ----

    @Test
    void overThriftTheServerLogsInAndAWrongSecretFailsOnBothSidesWithAClearMessage() throws Exception {
        try (Engine engine = new Engine(SECRET, Duration.ofSeconds(10))) {
            TTransport ok = new EngineChallengeClientTransport(SECRET, engine.address(), engine.socket());
            ok.open();
            assertTrue(engine.outcome() instanceof EngineChallengeServerTransport);
            ok.close();
        }
        try (Engine engine = new Engine(SECRET, Duration.ofSeconds(10))) {
            TTransport wrong = new EngineChallengeClientTransport("a-guess", engine.address(), engine.socket());
            TTransportException e = assertThrows(TTransportException.class, wrong::open);
            assertTrue(e.getMessage().contains("the engine did not prove that it knows the engine secret"),
                    e.getMessage());
            ExecutionException refused = assertThrows(ExecutionException.class, engine::outcome);
            assertTrue(refused.getCause() instanceof TTransportException, refused.toString());
        }
    }

    @Test
    void aHiveDriverLoggingInWithPlainIsRefusedNamingTheWayIn() throws Exception {
        try (Engine engine = new Engine(SECRET, Duration.ofSeconds(10));
                Socket s = new Socket(InetAddress.getLoopbackAddress(), engine.port())) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            byte[] plain = "PLAIN".getBytes(StandardCharsets.US_ASCII);
            out.writeByte(1); // START
            out.writeInt(plain.length);
            out.write(plain);
            out.writeByte(2); // OK: the PLAIN response, with the secret guessed
            byte[] response = "\0mallory\0guess".getBytes(StandardCharsets.US_ASCII);
            out.writeInt(response.length);
            out.write(response);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            assertEquals(3, in.readByte(), "BAD");
            byte[] message = new byte[in.readInt()];
            in.readFully(message);
            assertEquals(EngineChallenge.REFUSAL, new String(message, StandardCharsets.UTF_8));
            assertThrows(ExecutionException.class, engine::outcome);
        }
    }

    @Test
    void aHandshakeMessageAnnouncingMoreThanTheBoundIsRefusedBeforeItIsRead() throws Exception {
        try (Engine engine = new Engine(SECRET, Duration.ofSeconds(10));
                Socket s = new Socket(InetAddress.getLoopbackAddress(), engine.port())) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeByte(1);
            out.writeInt(100 * 1024 * 1024);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            assertEquals(4, in.readByte(), "ERROR");
            byte[] message = new byte[in.readInt()];
            in.readFully(message);
            assertEquals("Invalid payload header length: " + (100 * 1024 * 1024),
                    new String(message, StandardCharsets.UTF_8));
            assertThrows(ExecutionException.class, engine::outcome);
        }
    }

    @Test
    void aClientDrippingItsHandshakeIsCutOffAtTheDeadlineAsAWhole() throws Exception {
        try (Engine engine = new Engine(SECRET, Duration.ofMillis(1500));
                Socket s = new Socket(InetAddress.getLoopbackAddress(), engine.port())) {
            long start = System.nanoTime();
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            byte[] mechanism = EngineChallenge.MECHANISM.getBytes(StandardCharsets.US_ASCII);
            ByteArrayOutputStream start0 = new ByteArrayOutputStream();
            new DataOutputStream(start0).writeByte(1);
            new DataOutputStream(start0).writeInt(mechanism.length);
            start0.write(mechanism);
            // a byte every 500 ms keeps each read within any per-read timeout of a second
            s.setSoTimeout(500);
            InputStream in = s.getInputStream();
            boolean closed = false;
            for (byte b : start0.toByteArray()) {
                try {
                    out.write(b);
                    out.flush();
                } catch (IOException e) {
                    closed = true;
                    break;
                }
                try {
                    if (in.read() < 0) {
                        closed = true;
                        break;
                    }
                } catch (java.net.SocketTimeoutException stillOpen) {
                    // nothing yet: drip on
                } catch (IOException reset) {
                    closed = true;
                    break;
                }
            }
            assertTrue(closed, "the engine closed the connection");
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(took >= 1400 && took < 5000, "cut at the deadline, after " + took + " ms");
            assertThrows(ExecutionException.class, engine::outcome);
        }
    }

    /** An engine's accepting side: one connection, logged in through the factory. */
    private static final class Engine implements AutoCloseable {
        private final ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        private final CompletableFuture<TTransport> outcome = new CompletableFuture<>();

        Engine(String secret, Duration deadline) throws IOException {
            EngineChallengeTransportFactory factory = new EngineChallengeTransportFactory(1 << 20, secret, address(),
                    deadline);
            Thread t = new Thread(() -> {
                try (Socket accepted = listener.accept()) {
                    TTransport transport = factory.getTransport(new TSocket(accepted));
                    outcome.complete(transport);
                } catch (Exception e) {
                    outcome.completeExceptionally(e);
                }
            }, "test-engine");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        String address() {
            return EngineChallenge.address("127.0.0.1", port());
        }

        TSocket socket() throws TTransportException {
            return new TSocket("127.0.0.1", port(), 10_000);
        }

        TTransport outcome() throws Exception {
            return outcome.get(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }
}
