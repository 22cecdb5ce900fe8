package kitsune.frontend.thrift.impl;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;

import org.apache.thrift.transport.sasl.NegotiationStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import kitsune.internal.kerberos.KerberosIdentity;
import kitsune.api.conf.ConfigKeys;
import kitsune.thrift.PlainCredentials;
import kitsune.thrift.PlainSaslServer;
import kitsune.internal.text.LogText;

/**
 * The server side of the negotiation of Thrift's SASL transport (TSaslServerTransport), PLAIN only. Messages are
 * {@code [1-byte status][4-byte big-endian length][payload]}: START with the mechanism name, then the client's PLAIN
 * response ({@code authzid NUL user NUL password}) as OK or COMPLETE; the server answers COMPLETE, or BAD / ERROR with
 * a reason that the Hive driver shows after "Peer indicated failure:". The login is checked by
 * {@link PlainCredentials} on a worker thread (an LDAP or JDBC check may block; the event loop must not), with this
 * connection's reading paused meanwhile. On success the handler fires {@link Authenticated} and gives its place to
 * {@link SaslFrames}; a failure is logged as one line naming the peer and the cause, the reason is sent, and the
 * connection is closed.
 */
final class SaslHandshake extends ByteToMessageDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(SaslHandshake.class);
    private static final Pattern INVALID_STATUS = Pattern.compile("Invalid status (-?\\d+)");
    private static final int HEADER = 5;
    /**
     * The largest negotiation message taken before login: a mechanism name or a PLAIN response (authorization id,
     * user, password) is a few hundred bytes, so a client that is not logged in never makes the server buffer more.
     */
    static final int MAX_NEGOTIATION_BYTES = 16 * 1024;
    /** A Kerberos ticket with an Active Directory PAC of many groups can be 48 KB (Windows' MaxTokenSize). */
    static final int MAX_GSSAPI_BYTES = 64 * 1024;

    /** The connection's user is known: SASL PLAIN completed. */
    record Authenticated(String user) {
    }

    private enum State { START, RESPONSE, CHECKING, FAILED }

    private final FrontendSettings settings;
    private final PlainCredentials credentials;
    private final KerberosIdentity kerberos;
    private final Executor workers;
    private final String peer;
    private State state = State.START;
    /** The user name of a refused PLAIN login, for the audit log. */
    private volatile String refusedUser;
    /** The connection's GSSAPI negotiation, when the client chose GSSAPI; else PLAIN. */
    private SaslServer gssapi;

    SaslHandshake(FrontendSettings settings, PlainCredentials credentials, Executor workers, String peer) {
        this(settings, credentials, null, workers, peer);
    }

    /** @param kerberos the server's identity, with kyuubi.authentication=KERBEROS; else null */
    SaslHandshake(FrontendSettings settings, PlainCredentials credentials, KerberosIdentity kerberos,
            Executor workers, String peer) {
        this.settings = settings;
        this.credentials = credentials;
        this.kerberos = kerberos;
        this.workers = workers;
        this.peer = peer;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (state == State.FAILED) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (state == State.CHECKING || in.readableBytes() < HEADER) return;
        int at = in.readerIndex();
        byte statusByte = in.getByte(at);
        NegotiationStatus status = status(statusByte);
        if (status == null) {
            fail(ctx, NegotiationStatus.ERROR, "Invalid status " + statusByte);
            return;
        }
        int length = in.getInt(at + 1);
        int max = gssapi == null ? MAX_NEGOTIATION_BYTES : MAX_GSSAPI_BYTES;
        if (length < 0 || length > Math.min(max, Math.max(settings.maxMessageSize(), MAX_NEGOTIATION_BYTES))) {
            fail(ctx, NegotiationStatus.ERROR, "Invalid payload header length: " + length + " (a SASL negotiation "
                    + "message before login is at most " + max + " bytes)");
            return;
        }
        if (in.readableBytes() < HEADER + length) return;
        in.skipBytes(HEADER);
        byte[] payload = new byte[length];
        in.readBytes(payload);
        if (status == NegotiationStatus.BAD || status == NegotiationStatus.ERROR) {
            fail(ctx, null, "Peer indicated failure: " + new String(payload, StandardCharsets.UTF_8));
        } else if (state == State.START) {
            start(ctx, status, new String(payload, StandardCharsets.UTF_8));
        } else if (status != NegotiationStatus.OK && status != NegotiationStatus.COMPLETE) {
            fail(ctx, null, "Expected COMPLETE or OK, got " + status);
        } else if (gssapi != null) {
            negotiate(ctx, payload);
        } else {
            check(ctx, payload);
        }
    }

    private void start(ChannelHandlerContext ctx, NegotiationStatus status, String mechanism) {
        if (status != NegotiationStatus.START) {
            fail(ctx, NegotiationStatus.ERROR, "Expecting START status, received " + status);
        } else if (KerberosIdentity.MECHANISM.equals(mechanism) && kerberos != null) {
            try {
                gssapi = kerberos.newServer();
            } catch (SaslException e) {
                LOG.warn("Cannot start a GSSAPI negotiation as {}", kerberos.principal(), e);
                fail(ctx, NegotiationStatus.ERROR, "the server cannot take Kerberos logins now: " + e.getMessage());
                return;
            }
            state = State.RESPONSE;
        } else if (!PlainSaslServer.MECHANISM.equals(mechanism) || !settings.plain()) {
            fail(ctx, NegotiationStatus.BAD, "Unsupported SASL mechanism " + mechanism
                    + ": this server accepts " + mechanisms() + " only");
        } else {
            state = State.RESPONSE;
        }
    }

    private String mechanisms() {
        if (kerberos == null) return PlainSaslServer.MECHANISM;
        return settings.plain() ? KerberosIdentity.MECHANISM + " and " + PlainSaslServer.MECHANISM
                : KerberosIdentity.MECHANISM;
    }

    /** One GSSAPI step on a worker thread (it may ask the KDC nothing, but decrypting is work): answer or complete. */
    private void negotiate(ChannelHandlerContext ctx, byte[] response) {
        state = State.CHECKING;
        ctx.channel().config().setAutoRead(false);
        SaslServer server = gssapi;
        try {
            workers.execute(() -> {
                byte[] challenge = null;
                String user = null;
                String error = null;
                String detail = null;
                try {
                    challenge = kerberos.evaluate(server, response);
                    if (server.isComplete()) {
                        String principal = server.getAuthorizationID();
                        user = kerberos.shortName(principal);
                        LOG.debug("Kerberos login of {} from {} as {}", principal, peer, user);
                    }
                } catch (SaslException e) {
                    error = "Kerberos (GSSAPI) authentication failed";
                    detail = error + ": " + describeGss(e);
                } catch (RuntimeException e) {
                    LOG.warn("Checking the Kerberos login from {} failed", peer, e);
                    error = "the login check failed (" + e + ")";
                }
                byte[] answer = challenge == null ? new byte[0] : challenge;
                String checkedUser = user;
                String checkError = error;
                String checkDetail = detail == null ? error : detail;
                try {
                    ctx.executor().execute(() -> {
                        if (checkError == null && checkedUser == null) {
                            stepped(ctx, answer);
                        } else {
                            checked(ctx, checkedUser, checkError, checkDetail, answer);
                        }
                    });
                } catch (RejectedExecutionException stopped) {
                    // the server has stopped: the connection is gone with it
                }
            });
        } catch (RejectedExecutionException stopping) {
            ctx.close();
        }
    }

    /** On the event loop: a GSSAPI step that needs another response from the client. */
    private void stepped(ChannelHandlerContext ctx, byte[] challenge) {
        if (!ctx.channel().isActive() || ctx.isRemoved()) return;
        state = State.RESPONSE;
        ctx.writeAndFlush(message(ctx.alloc(), NegotiationStatus.OK, challenge));
        ctx.channel().config().setAutoRead(true);
    }

    /** A GSS failure in words: the innermost cause names it (no ticket, wrong key, clock skew …). */
    private String describeGss(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
        String last = e.getMessage();
        Throwable t = e.getCause();
        for (int depth = 0; t != null && depth < 4; depth++, t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && (last == null || !last.contains(m))) sb.append(" (").append(m).append(')');
            last = m;
        }
        if (sb.indexOf("Checksum failed") >= 0 || sb.indexOf("Cannot find key") >= 0) {
            sb.append("; the ticket is not for this server's key (principal= in the client's URL is not ")
                    .append(kerberos.principal()).append(", or the keytab has old keys)");
        } else if (sb.indexOf("Clock skew") >= 0) {
            sb.append("; the client's and this server's clocks differ by more than Kerberos allows");
        }
        return sb.toString();
    }

    private void check(ChannelHandlerContext ctx, byte[] response) {
        state = State.CHECKING;
        ctx.channel().config().setAutoRead(false);
        try {
            workers.execute(() -> {
                String user = null;
                String error = null;
                String detail = null;
                try {
                    PlainSaslServer plain = new PlainSaslServer(credentials);
                    plain.evaluateResponse(response);
                    user = plain.getAuthorizationID();
                    if (LogText.hasControl(user)) {
                        error = "Invalid user name: a user name may not contain control characters";
                        detail = error + " ('" + LogText.of(user) + "')";
                        user = null;
                    }
                } catch (LoginRefusedException e) {
                    error = e.getMessage(); // the client learns no more than that
                    detail = e.detail();
                    refusedUser = e.user();
                } catch (SaslException e) {
                    error = e.getMessage();
                } catch (RuntimeException e) {
                    LOG.warn("Checking the login from {} failed", peer, e);
                    error = "the login check failed (" + e + ")";
                }
                String checkedUser = user;
                String checkError = error;
                String checkDetail = detail == null ? error : detail;
                try {
                    ctx.executor().execute(() -> checked(ctx, checkedUser, checkError, checkDetail, new byte[0]));
                } catch (RejectedExecutionException stopped) {
                    // the server has stopped: the connection is gone with it
                }
            });
        } catch (RejectedExecutionException stopping) {
            ctx.close();
        }
    }

    /** On the event loop, with the outcome of the login check. */
    private void checked(ChannelHandlerContext ctx, String user, String error, String detail, byte[] lastChallenge) {
        if (credentials instanceof LoginCheck check) {
            check.audit(gssapi != null ? FrontendSettings.KERBEROS : null, user == null ? refusedUser : user, peer,
                    error == null ? null : detail);
        }
        if (!ctx.channel().isActive() || ctx.isRemoved()) return; // hung up or timed out meanwhile
        disposeGssapi();
        if (error != null) {
            fail(ctx, NegotiationStatus.BAD, error, detail);
            return;
        }
        ctx.writeAndFlush(message(ctx.alloc(), NegotiationStatus.COMPLETE, lastChallenge));
        ctx.fireUserEventTriggered(new Authenticated(user));
        // Bytes that came after the response go on to the frame decoder that takes this handler's place.
        ctx.pipeline().replace(this, "sasl-frames", new SaslFrames(settings.maxMessageSize(), settings.loginTimeout()));
        ctx.channel().config().setAutoRead(true);
    }

    private void fail(ChannelHandlerContext ctx, NegotiationStatus reply, String cause) {
        fail(ctx, reply, cause, cause);
    }

    /** @param detail what the log says, which may be more than the client reads ({@code cause}) */
    private void fail(ChannelHandlerContext ctx, NegotiationStatus reply, String cause, String detail) {
        state = State.FAILED;
        disposeGssapi();
        LOG.warn("Closing connection from {}: SASL handshake failed: {}", peer, LogText.of(describe(detail)));
        if (reply == null) {
            ctx.close();
        } else {
            Farewell.say(ctx, message(ctx.alloc(), reply, cause));
        }
    }

    private void disposeGssapi() {
        if (gssapi == null) return;
        try {
            gssapi.dispose();
        } catch (SaslException ignored) {
            // nothing held beyond this connection
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (state != State.CHECKING) disposeGssapi();
        if (state == State.START || state == State.RESPONSE) {
            LOG.debug("Connection from {} closed during the SASL handshake", peer);
        }
        super.channelInactive(ctx);
    }

    /** A negotiation message; also how a refused SASL client is told why. */
    static ByteBuf message(ByteBufAllocator alloc, NegotiationStatus status, String payload) {
        return message(alloc, status, payload.getBytes(StandardCharsets.UTF_8));
    }

    static ByteBuf message(ByteBufAllocator alloc, NegotiationStatus status, byte[] bytes) {
        return alloc.buffer(HEADER + bytes.length).writeByte(status.getValue()).writeInt(bytes.length)
                .writeBytes(bytes);
    }

    private static NegotiationStatus status(byte value) {
        for (NegotiationStatus s : NegotiationStatus.values()) {
            if (s.getValue() == value) return s;
        }
        return null;
    }

    /** The handshake failure in words an operator can act on. */
    private String describe(String cause) {
        Matcher m = INVALID_STATUS.matcher(cause);
        if (m.find()) {
            int status = Integer.parseInt(m.group(1));
            if (status == -128) {
                return cause + " (a client without SASL, e.g. a JDBC URL with ;auth=noSasl, on this SASL port; "
                        + ConfigKeys.AUTHENTICATION.name() + "=" + settings.authentication() + ")";
            }
            if (status >= 32 && status < 127) {
                return cause + " ('" + (char) status + "': text, e.g. an HTTP client, on this binary Thrift port)";
            }
            return cause + " (not a Thrift SASL client)";
        }
        if (cause.startsWith("Invalid payload header length")) return cause + " (not a Thrift SASL client)";
        if (kerberos != null && cause.startsWith("Peer indicated failure: GSS initiate failed")) {
            return cause + " (the client could not get a Kerberos service ticket for " + kerberos.principal()
                    + ": no ticket of its own (kinit, or a keytab login), or an expired one)";
        }
        if (cause.startsWith("Unsupported SASL mechanism")) {
            return cause + " (" + ConfigKeys.AUTHENTICATION.name() + "=" + settings.authentication() + ")";
        }
        return cause;
    }
}
