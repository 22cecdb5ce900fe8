package kitsune.frontend.thrift.impl;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.hive.service.rpc.thrift.TFetchResultsReq;
import org.apache.hive.service.rpc.thrift.TFetchResultsResp;
import org.apache.hive.service.rpc.thrift.TGetInfoResp;
import org.apache.hive.service.rpc.thrift.TGetInfoValue;
import org.apache.hive.service.rpc.thrift.TOpenSessionReq;
import org.apache.hive.service.rpc.thrift.TOpenSessionResp;
import org.apache.hive.service.rpc.thrift.TProtocolVersion;
import org.apache.hive.service.rpc.thrift.TRowSet;

import kitsune.thrift.CliBackend;
import kitsune.thrift.ClientContext;
import kitsune.thrift.Handles;
import kitsune.thrift.Responses;
import kitsune.thrift.Statuses;

/** A CliBackend for tests: opens sessions, answers GetInfo, records who called; everything else says "no". */
final class RecordingBackend {
    record Opened(ClientContext context, TOpenSessionReq request) {
    }

    final List<Opened> opened = new CopyOnWriteArrayList<>();
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<ClientContext> closedConnections = new CopyOnWriteArrayList<>();
    /** GetInfo waits for this gate while it is set (a slow call). */
    volatile CountDownLatch getInfoGate;
    /** GetInfo calls running now, and the most that ever ran at once. */
    final AtomicInteger getInfoRunning = new AtomicInteger();
    final AtomicInteger getInfoMaxRunning = new AtomicInteger();
    /** Threads that ran each call, as "method@thread". */
    final List<String> threads = new CopyOnWriteArrayList<>();
    /** FetchResults of an operation whose guid's first byte is 1 is answered at once (with this many rows). */
    static final byte AT_ONCE = 1;

    CliBackend backend() {
        return (CliBackend) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {CliBackend.class},
                (proxy, method, args) -> {
                    calls.add(method.getName());
                    threads.add(method.getName() + "@" + Thread.currentThread().getName());
                    switch (method.getName()) {
                        case "fetchResultsAtOnce" -> {
                            TFetchResultsReq req = (TFetchResultsReq) args[0];
                            if (req.getOperationHandle().getOperationId().getGuid()[0] != AT_ONCE) return null;
                            TFetchResultsResp resp = new TFetchResultsResp(Statuses.ok());
                            resp.setHasMoreRows(false);
                            resp.setResults(new TRowSet(req.getMaxRows(), List.of()));
                            return resp;
                        }
                        case "closeOperationAtOnce" -> {
                            return null;
                        }
                        case "openSession" -> {
                            opened.add(new Opened((ClientContext) args[0], (TOpenSessionReq) args[1]));
                            TOpenSessionResp resp = new TOpenSessionResp(Statuses.ok(),
                                    TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10);
                            resp.setSessionHandle(Handles.newSessionHandle(UUID.randomUUID()));
                            resp.setConfiguration(Map.of());
                            return resp;
                        }
                        case "connectionClosed" -> {
                            closedConnections.add((ClientContext) args[0]);
                            return null;
                        }
                        case "GetInfo" -> {
                            int running = getInfoRunning.incrementAndGet();
                            getInfoMaxRunning.accumulateAndGet(running, Math::max);
                            try {
                                CountDownLatch gate = getInfoGate;
                                if (gate != null) gate.await();
                                return new TGetInfoResp(Statuses.ok(), TGetInfoValue.stringValue("Kitsune test"));
                            } finally {
                                getInfoRunning.decrementAndGet();
                            }
                        }
                        case "hashCode" -> {
                            return System.identityHashCode(proxy);
                        }
                        case "equals" -> {
                            return proxy == args[0];
                        }
                        case "toString" -> {
                            return "RecordingBackend";
                        }
                        default -> {
                            if (method.getName().equals("CloseSession")) {
                                return Responses.withStatus(method.getReturnType(), Statuses.ok());
                            }
                            return Responses.withStatus(method.getReturnType(), Statuses.notSupported(method.getName()));
                        }
                    }
                });
    }
}
