package kitsune.frontend.thrift.impl;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.function.Supplier;

import org.apache.hive.service.rpc.thrift.TCLIService;
import org.apache.hive.service.rpc.thrift.TOpenSessionReq;
import org.apache.hive.service.rpc.thrift.TOpenSessionResp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.metrics.ServerMetrics;
import kitsune.thrift.Callers;
import kitsune.thrift.CliBackend;
import kitsune.thrift.ClientContext;
import kitsune.thrift.Responses;
import kitsune.thrift.Statuses;

/**
 * The TCLIService handler: hands each call to whichever session service is registered now, with the connection's
 * context (an argument of OpenSession, {@link Callers#current()} for every other call). Without a session service (e.g. while its bundle is updated) every call is
 * answered with an error status, so the frontend keeps its port and its clients get a reason. A call that throws
 * is answered the same way (and logged with its stack trace): thrift would otherwise log a stack trace and send a
 * bare "Internal error". A call without its request struct (missing, or sent as another type) is answered with a
 * status naming that, before it reaches the session service. Each call's time goes to the metrics
 * (kyuubi.backend_service.*), and each OpenSession's outcome (kyuubi.connection.total / .failed).
 */
final class BackendDispatcher implements InvocationHandler {
    private static final Logger LOG = LoggerFactory.getLogger(BackendDispatcher.class);
    static final String NO_BACKEND = "The Kitsune session service is not running on this server; "
            + "try again shortly or connect to another server";

    private final Supplier<CliBackend> backend;
    private final Supplier<ClientContext> context;
    private final Supplier<ServerMetrics> metrics;

    private BackendDispatcher(Supplier<CliBackend> backend, Supplier<ClientContext> context,
            Supplier<ServerMetrics> metrics) {
        this.backend = backend;
        this.context = context;
        this.metrics = metrics;
    }

    static TCLIService.Iface create(Supplier<CliBackend> backend, Supplier<ClientContext> context) {
        return create(backend, context, Recorder.OFF);
    }

    static TCLIService.Iface create(Supplier<CliBackend> backend, Supplier<ClientContext> context,
            Supplier<ServerMetrics> metrics) {
        return (TCLIService.Iface) Proxy.newProxyInstance(TCLIService.Iface.class.getClassLoader(),
                new Class<?>[] {TCLIService.Iface.class}, new BackendDispatcher(backend, context, metrics));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) return method.invoke(this, args);
        long start = System.nanoTime();
        Object result = dispatch(method, args);
        ServerMetrics m = metrics.get();
        m.backendCall(method.getName(), System.nanoTime() - start);
        if (result instanceof TOpenSessionResp opened) {
            ClientContext caller = context.get();
            String user = caller != null && caller.user() != null ? caller.user()
                    : args != null && args.length == 1 && args[0] instanceof TOpenSessionReq req ? req.getUsername()
                    : null;
            if (Statuses.isOk(opened.getStatus())) {
                m.connectionOpened(user);
            } else {
                m.connectionFailed(user);
            }
        }
        return result;
    }

    private Object dispatch(Method method, Object[] args) throws Throwable {
        CliBackend b = backend.get();
        if (b == null) {
            return Responses.withStatus(method.getReturnType(), Statuses.error(NO_BACKEND, "08S01"));
        }
        ClientContext caller = context.get();
        if (args != null && args.length == 1 && args[0] == null) {
            // Thrift leaves the argument null when field 1 is missing or of another type than the request struct
            String why = method.getName() + " without its request: the call has no field 1 (req) of type "
                    + method.getParameterTypes()[0].getSimpleName() + "; not a valid TCLIService call";
            LOG.warn("Refusing a call of connection {} from {}: {}", caller == null ? "?" : caller.connectionId(),
                    caller == null ? "?" : caller.clientAddress(), why);
            return Responses.withStatus(method.getReturnType(), Statuses.error(why));
        }
        try {
            if (method.getName().equals("OpenSession")) {
                return b.openSession(caller, (TOpenSessionReq) args[0]);
            }
            return Callers.as(caller, () -> method.invoke(b, args));
        } catch (InvocationTargetException e) {
            return failed(method, e.getCause());
        } catch (RuntimeException e) {
            return failed(method, e);
        }
    }

    private static Object failed(Method method, Throwable t) {
        // the session service answers what it expects with a status: anything thrown is a failure of the server
        LOG.warn("{} failed in the session service", method.getName(), t);
        return Responses.withStatus(method.getReturnType(), Statuses.error(t));
    }
}
