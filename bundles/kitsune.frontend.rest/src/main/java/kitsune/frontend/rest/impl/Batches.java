package kitsune.frontend.rest.impl;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.batch.Batch;
import kitsune.api.batch.BatchApplication;
import kitsune.api.batch.BatchFilter;
import kitsune.api.batch.BatchLauncher;
import kitsune.api.batch.BatchState;
import kitsune.api.batch.BatchStore;
import kitsune.api.batch.BatchStoreException;
import kitsune.api.batch.BatchSubmission;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.engine.EngineException;
import kitsune.api.registry.Discovery;
import kitsune.api.registry.ServiceNode;
import kitsune.api.registry.ZkPaths;
import kitsune.api.session.SessionManager;
import kitsune.internal.threads.NamedThreads;
import kitsune.internal.text.LogText;

/**
 * Kyuubi's batches on this server: accepts a batch (the caller's, screened as session settings are), records it in the
 * metadata store, has the provider's {@link BatchLauncher} submit it, and follows the batches this server owns to
 * their end, writing each change of state to the store. Every check it also says in the store that it is alive, and
 * takes over the unfinished batches of servers that are neither registered in ZooKeeper nor alive in the store
 * (crashed), or that it owned itself before a restart. The REST routes are thin on top of this.
 */
final class Batches {
    private static final Logger LOG = LoggerFactory.getLogger(Batches.class);
    static final String SPARK = "SPARK";
    /** The conf keys an upload's extraResourcesMap may name: they take the server's paths of the stored files. */
    static final List<String> EXTRA_RESOURCE_KEYS = List.of("spark.jars", "spark.files", "spark.archives");
    private static final Pattern CLASS_NAME = Pattern.compile("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*");
    /** A server silent in the store for this many check intervals (and a minimum) is taken for dead. */
    private static final int STALE_CHECKS = 4;
    private static final Duration STALE_MIN = Duration.ofSeconds(15);

    private final Supplier<BatchStore> store;
    private final Supplier<BatchLauncher> launcher;
    private final Supplier<Discovery> discovery;
    private final Supplier<SessionManager> sessions;
    private final Supplier<KitsuneConf> conf;
    private final Supplier<String> instance;
    /** This server's REST API URL (…/api/v1) once the HTTP service has an endpoint, else null. */
    private final Supplier<String> restApi;
    private final Clock clock;
    /** What this server last published as its REST address: "instance url". */
    private volatile String published;
    private final Map<String, BatchApplication> tracked = new ConcurrentHashMap<>();
    /** Batches a kill was asked for: their end is CANCELED, whatever the process says. */
    private final Set<String> canceled = ConcurrentHashMap.newKeySet();
    /** Batches recorded and being submitted here: not orphans, though not followed yet. */
    private final Set<String> submitting = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            NamedThreads.daemon("kitsune-batches"));
    private volatile long lastCleanup;
    private volatile boolean stopped;

    /**
     * @param instance this server's host:port as registered in ZooKeeper (null until it is)
     */
    Batches(Supplier<BatchStore> store, Supplier<BatchLauncher> launcher, Supplier<Discovery> discovery,
            Supplier<SessionManager> sessions, Supplier<KitsuneConf> conf, Supplier<String> instance, Clock clock) {
        this(store, launcher, discovery, sessions, conf, instance, () -> null, clock);
    }

    /**
     * @param restApi this server's REST API URL, published in ZooKeeper (ZkPaths.restPath) for the other servers to
     *                forward requests for its batches to
     */
    Batches(Supplier<BatchStore> store, Supplier<BatchLauncher> launcher, Supplier<Discovery> discovery,
            Supplier<SessionManager> sessions, Supplier<KitsuneConf> conf, Supplier<String> instance,
            Supplier<String> restApi, Clock clock) {
        this.restApi = restApi;
        this.store = store;
        this.launcher = launcher;
        this.discovery = discovery;
        this.sessions = sessions;
        this.conf = conf;
        this.instance = instance;
        this.clock = clock;
    }

    void start() {
        timer.schedule(this::checkAndReschedule, 0, TimeUnit.MILLISECONDS);
    }

    /**
     * Stops following batches (their applications run on, and the next server, or this one restarted, takes over) and
     * removes this server's REST address from ZooKeeper, so that no server forwards a request here any more; called
     * before the REST API stops answering.
     */
    void stop() {
        stopped = true;
        timer.shutdownNow();
        try {
            // a check under way may be publishing: the record is removed after it
            if (!timer.awaitTermination(10, TimeUnit.SECONDS)) LOG.warn("A batch check did not end within 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        unpublish();
    }

    /** Removes what this server published under /<namespace>_rest, if anything. */
    private synchronized void unpublish() {
        String what = published;
        published = null;
        Discovery d = discovery.get();
        if (what == null) return;
        String me = what.substring(0, what.indexOf(' '));
        if (d == null) {
            LOG.warn("Cannot remove this server's REST API address for {} from ZooKeeper: the discovery service is "
                    + "gone (the record stays until the server starts again)", me);
            return;
        }
        try {
            d.delete(ZkPaths.restPath(d.namespace()) + "/" + me);
            LOG.info("Removed this server's REST API address from ZooKeeper ({})", me);
        } catch (Exception e) {
            LOG.warn("Cannot remove this server's REST API address for {} from ZooKeeper", me, e);
        }
    }

    private void checkAndReschedule() {
        if (stopped) return;
        try {
            check();
        } catch (RuntimeException e) {
            LOG.error("Checking batches failed", e);
        } finally {
            if (!stopped) {
                long ms = Math.max(100, conf.get().get(ConfigKeys.BATCH_APPLICATION_CHECK_INTERVAL).toMillis());
                try {
                    timer.schedule(this::checkAndReschedule, ms, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.RejectedExecutionException stopping) {
                    // stopped meanwhile
                }
            }
        }
    }

    // ---------------------------------------------------------------- requests

    /** Accepts, records and submits a batch for {@code user}; its state in the answer is PENDING or already ERROR. */
    Batch submit(String user, Dto.BatchRequest req, Map<String, String> screenedConf) throws RestException {
        return submit(user, req, screenedConf, null);
    }

    /**
     * As {@link #submit(String, Dto.BatchRequest, Map)}, with the application uploaded by the client (multipart) when
     * {@code upload} is not null: it is stored owner-only under the work directory and is the batch's resource (the
     * request's resource is ignored, as Kyuubi does); only that server-created file bypasses
     * kitsune.batch.resource.dirs. The extra files its extraResourcesMap names are stored beside it, and their paths
     * set on (or appended to) the conf key each is listed under ({@link #EXTRA_RESOURCE_KEYS}). All are removed when
     * the batch ends or is refused.
     */
    Batch submit(String user, Dto.BatchRequest req, Map<String, String> screenedConf, Uploads.Uploaded upload)
            throws RestException {
        if (req == null) {
            throw RestException.badRequest("The request body needs a BatchRequest: {\"batchType\": \"SPARK\", "
                    + "\"resource\": \"/path/app.jar\", \"className\": \"org.example.Main\", \"args\": []}");
        }
        String type = req.batchType() == null ? "" : req.batchType().trim().toUpperCase(Locale.ROOT);
        if (!type.equals(SPARK)) {
            throw RestException.badRequest("Unsupported batchType " + LogText.of(String.valueOf(req.batchType()))
                    + ": this server runs SPARK batches");
        }
        KitsuneConf c = conf.get();
        if (upload == null && req.extraResourcesMap() != null && !req.extraResourcesMap().isEmpty()) {
            throw RestException.badRequest("extraResourcesMap needs the batch upload: send POST /batches as "
                    + "multipart/form-data with the parts " + BatchUpload.REQUEST_PART + ", " + BatchUpload.FILE_PART
                    + " and one part per extra file named by the file's name");
        }
        Map<String, List<String>> extras = extraResources(req.extraResourcesMap(),
                c.get(ConfigKeys.BATCH_EXTRA_RESOURCE_FILES_MAX));
        if (upload != null) checkExtraParts(extras, upload.extras().keySet());
        if (req.className() == null || !CLASS_NAME.matcher(req.className()).matches()
                || req.className().length() > 1024) {
            throw RestException.badRequest("className must name the application's main class, e.g. "
                    + "org.example.Main (not " + LogText.of(String.valueOf(req.className())) + ")");
        }
        if (req.name() != null && (req.name().length() > 1024 || req.name().chars().anyMatch(Character::isISOControl))) {
            throw RestException.badRequest("name must be printable text of at most 1024 characters");
        }
        List<String> args = req.args() == null ? List.of() : req.args();
        for (String a : args) {
            if (a == null) throw RestException.badRequest("args has a null entry: every argument needs a text value");
        }
        String resource = upload == null ? resource(req.resource(), c) : null;
        BatchStore s = store();
        BatchLauncher l = launcher.get();
        if (l == null) {
            throw new RestException(503, "No batch launcher is available (bundle kitsune.engine.spark is being "
                    + "replaced or stopped): retry in a moment");
        }
        SessionManager m = sessions.get();
        if (m == null || m.refusingNewSessions()) {
            throw new RestException(503, "This server accepts no new batches (it is draining or starting): submit to "
                    + "another server");
        }
        String owner = owner();
        String id = UUID.randomUUID().toString();
        Map<String, String> batchConf = screenedConf;
        if (upload != null) {
            Uploads.Stored stored = storeUpload(id, upload, extras, c);
            resource = stored.resource().toString();
            batchConf = withExtras(screenedConf, extras, stored.extras());
        }
        Batch batch = new Batch(id, user, SPARK, resource, req.className(), req.name(), RestApi.masked(batchConf),
                args, BatchState.PENDING, null, null, null, null, owner, clock.millis(), 0);
        submitting.add(id);
        BatchApplication app;
        try {
            try {
                s.insert(batch);
            } catch (BatchStoreException e) {
                LOG.error("Batch of {} not recorded", user, e);
                removeUpload(id);
                throw new RestException(503, e.getMessage());
            }
            try {
                app = l.submit(new BatchSubmission(id, user, resource, req.className(), req.name(), batchConf, args,
                        c));
            } catch (EngineException | RuntimeException e) {
                LOG.warn("Batch {} of {} could not be submitted: {}", id, user, e.getMessage());
                Batch failed = batch.with(BatchState.ERROR, null, null, "NOT_SUBMITTED", e.getMessage(),
                        clock.millis());
                write(failed);
                removeUpload(id);
                return failed;
            }
            tracked.put(id, app);
        } finally {
            submitting.remove(id);
        }
        LOG.info("Batch {} of {} submitted ({} {})", id, user, req.className(), resource);
        return follow(batch, app);
    }

    /**
     * The extraResourcesMap of a batch upload checked: each key one of {@link #EXTRA_RESOURCE_KEYS}, its value a
     * comma-separated list of file names (blank entries skipped), each name printable, at most 1024 characters, not
     * the name of another part and listed once, at most {@code max} names in all.
     *
     * @return the names by key, in the request's order
     */
    static Map<String, List<String>> extraResources(Map<String, String> map, int max) throws RestException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (map == null || map.isEmpty()) return out;
        Set<String> seen = new HashSet<>();
        for (Map.Entry<String, String> e : map.entrySet()) {
            String key = e.getKey();
            if (key == null || !EXTRA_RESOURCE_KEYS.contains(key)) {
                throw RestException.badRequest("extraResourcesMap key " + LogText.of(String.valueOf(key)) + " is not "
                        + "allowed: use " + String.join(", ", EXTRA_RESOURCE_KEYS));
            }
            if (e.getValue() == null) {
                throw RestException.badRequest("extraResourcesMap " + key + " has no value: give a comma-separated list "
                        + "of the uploaded files' names");
            }
            List<String> names = new ArrayList<>();
            for (String n : e.getValue().split(",")) {
                String name = n.trim();
                if (name.isEmpty()) continue;
                if (name.length() > 1024 || name.chars().anyMatch(Character::isISOControl)) {
                    throw RestException.badRequest("extraResourcesMap " + key + " names a file that is not printable "
                            + "text of at most 1024 characters: " + LogText.of(name));
                }
                if (name.equals(BatchUpload.REQUEST_PART) || name.equals(BatchUpload.FILE_PART)) {
                    throw RestException.badRequest("extraResourcesMap " + key + " names " + name + ", which is the "
                            + "name of another part: rename the file");
                }
                if (!seen.add(name)) {
                    throw RestException.badRequest("extraResourcesMap lists the file " + LogText.of(name) + " twice: "
                            + "list each uploaded file once");
                }
                names.add(name);
            }
            if (!names.isEmpty()) out.put(key, List.copyOf(names));
        }
        if (seen.size() > max) {
            throw RestException.badRequest("extraResourcesMap lists " + seen.size() + " files, at most " + max
                    + " are allowed (" + ConfigKeys.BATCH_EXTRA_RESOURCE_FILES_MAX.name() + "); send fewer files, or "
                    + "put them under " + ConfigKeys.BATCH_RESOURCE_DIRS.name());
        }
        return out;
    }

    /** The upload's extra parts are exactly the files listed: none missing (Kyuubi's message), none unlisted. */
    static void checkExtraParts(Map<String, List<String>> extras, Set<String> uploaded) throws RestException {
        Set<String> listed = new java.util.LinkedHashSet<>();
        extras.values().forEach(listed::addAll);
        for (String name : uploaded) {
            if (!listed.contains(name)) {
                throw RestException.badRequest("Unexpected part " + LogText.of(name) + ": a batch upload has one part "
                        + BatchUpload.REQUEST_PART + ", one part " + BatchUpload.FILE_PART + " and one part per file "
                        + "named in extraResourcesMap");
            }
        }
        List<String> missing = listed.stream().filter(n -> !uploaded.contains(n)).toList();
        if (!missing.isEmpty()) {
            throw RestException.badRequest(LogText.of("required extra resource files [" + String.join(",", missing)
                    + "] are not uploaded in the multipart form data"));
        }
    }

    /**
     * The batch's conf with the stored extra files: each key set to its files' comma-separated paths, appended (after
     * a comma) to a value the screened conf already has for it, as Kyuubi does.
     */
    static Map<String, String> withExtras(Map<String, String> screenedConf, Map<String, List<String>> extras,
            List<Path> stored) {
        if (extras.isEmpty()) return screenedConf;
        Map<String, String> out = new LinkedHashMap<>(screenedConf);
        int i = 0;
        for (Map.Entry<String, List<String>> e : extras.entrySet()) {
            List<String> paths = new ArrayList<>();
            for (int n = 0; n < e.getValue().size(); n++) paths.add(stored.get(i++).toString());
            String added = String.join(",", paths);
            out.merge(e.getKey(), added, (old, add) -> old.isBlank() ? add : old + "," + add);
        }
        return out;
    }

    /**
     * Stores an upload for batch {@code id}: the resource, and the extra files in the order of {@code extras}; refusals
     * name their cause, nothing is left on failure.
     */
    private Uploads.Stored storeUpload(String id, Uploads.Uploaded upload, Map<String, List<String>> extras,
            KitsuneConf c) throws RestException {
        if (!c.get(ConfigKeys.BATCH_RESOURCE_UPLOAD_ENABLED)) {
            throw new RestException(403, "Uploading a batch's resource is disabled on this server ("
                    + ConfigKeys.BATCH_RESOURCE_UPLOAD_ENABLED.name() + "=false): send the BatchRequest as JSON with "
                    + "resource naming a jar under " + ConfigKeys.BATCH_RESOURCE_DIRS.name());
        }
        try {
            List<Uploads.Content> files = new ArrayList<>();
            extras.values().forEach(names -> names.forEach(n -> files.add(upload.extras().get(n))));
            Uploads.Stored stored = Uploads.of(c).store(id, upload.resource(), files);
            LOG.info("Stored the uploaded resource of batch {} as {}{}", id, stored.resource(),
                    stored.extras().isEmpty() ? "" : " and " + stored.extras().size() + " extra files");
            return stored;
        } catch (IOException | RuntimeException e) {
            LOG.error("Cannot store the uploaded resource of batch {}", id, e);
            throw new RestException(500, "Cannot store the uploaded resource on this server (" + e.getClass()
                    .getSimpleName() + "); the server log has the details");
        }
    }

    /** Removes the batch's uploaded resource, if it has one here. */
    private void removeUpload(String id) {
        try {
            if (Uploads.of(conf.get()).remove(id)) LOG.info("Removed the uploaded resource of batch {}", id);
        } catch (RuntimeException e) {
            LOG.warn("Cannot remove the uploaded resource of batch {}", id, e);
        }
    }

    /**
     * Removes the uploads of batches that ended or are no longer in the store (after a crash, or rows removed by
     * kyuubi.metadata.max.age), unless submitted a moment ago.
     */
    private void sweepUploads(BatchStore s, long now) {
        Uploads u = Uploads.of(conf.get());
        for (String id : u.batchIds()) {
            if (tracked.containsKey(id) || submitting.contains(id) || now - u.modified(id) < STALE_MIN.toMillis()) {
                continue;
            }
            try {
                Optional<Batch> b = s.get(id);
                if (b.isEmpty() || b.get().state().terminal()) removeUpload(id);
            } catch (BatchStoreException e) {
                LOG.debug("Cannot read batch {}: {}", id, e.getMessage());
            }
        }
    }

    /** The batch, if the caller may see it (its user, or an administrator); 404 otherwise, as if it did not exist. */
    Batch get(String id, String caller, boolean admin) throws RestException {
        if (id == null || RestHandles.uuid(id) == null) throw RestException.notFound("No batch " + LogText.of(id));
        Optional<Batch> b;
        try {
            b = store().get(id);
        } catch (BatchStoreException e) {
            throw new RestException(503, e.getMessage());
        }
        if (b.isEmpty() || !(admin || b.get().user().equals(caller))) {
            throw RestException.notFound("No batch " + id + " of " + caller);
        }
        return b.get();
    }

    List<Batch> list(BatchFilter filter) throws RestException {
        try {
            return store().list(filter);
        } catch (BatchStoreException e) {
            throw new RestException(503, e.getMessage());
        }
    }

    /**
     * Who answers for a batch.
     *
     * @param hostPort the owner named in the batch's row
     * @param here     this server follows it (or owns it)
     * @param live     the owner is registered in the namespace (null: ZooKeeper cannot tell)
     * @param api      the owner's published REST API URL, or null
     */
    record Owner(String hostPort, boolean here, Boolean live, String api) {
    }

    Owner ownerOf(Batch b) {
        if (tracked.containsKey(b.id()) || b.kyuubiInstance().equals(instance.get())) {
            return new Owner(b.kyuubiInstance(), true, true, null);
        }
        Set<String> registered = registered();
        if (registered == null) return new Owner(b.kyuubiInstance(), false, null, null);
        if (!registered.contains(b.kyuubiInstance())) return new Owner(b.kyuubiInstance(), false, false, null);
        return new Owner(b.kyuubiInstance(), false, true, publishedApi(b.kyuubiInstance()));
    }

    /** The REST API URL the server published, or null. */
    private String publishedApi(String hostPort) {
        Discovery d = discovery.get();
        if (d == null) return null;
        try {
            return d.read(ZkPaths.restPath(d.namespace()) + "/" + hostPort)
                    .map(bytes -> new String(bytes, StandardCharsets.UTF_8).trim()).orElse(null);
        } catch (Exception e) {
            LOG.debug("Cannot read the REST address of {}: {}", hostPort, e.toString());
            return null;
        }
    }

    /** Publishes this server's REST API URL under its Thrift host:port, when either changed. */
    private synchronized void publish(String me) {
        if (stopped) return;
        String api = restApi.get();
        Discovery d = discovery.get();
        if (api == null || d == null) return;
        String what = me + " " + api;
        if (what.equals(published)) return;
        try {
            d.write(ZkPaths.restPath(d.namespace()) + "/" + me, api.getBytes(StandardCharsets.UTF_8));
            published = what;
            LOG.info("Published this server's REST API {} for batch requests forwarded by the other servers", api);
        } catch (Exception e) {
            LOG.warn("Cannot publish this server's REST API {} in ZooKeeper: {}", api, e.toString());
        }
    }

    /** Kills the batch's application (this server must own it) and records it CANCELED. */
    Dto.CloseBatchResponse cancel(Batch b, String caller) throws RestException {
        if (b.state().terminal()) {
            return new Dto.CloseBatchResponse(false, "Batch " + b.id() + " has already ended (" + b.state() + ")");
        }
        BatchApplication app = tracked.get(b.id());
        if (app == null) {
            if (b.kyuubiInstance().equals(instance.get())) {
                throw new RestException(409, "Batch " + b.id() + " is this server's, but it does not follow it yet "
                        + "(it is taken over in the next check): retry in a moment");
            }
            Owner o = ownerOf(b);
            if (Boolean.FALSE.equals(o.live())) {
                throw new RestException(409, "Batch " + b.id() + " was followed by server " + b.kyuubiInstance()
                        + ", which is gone (no longer registered); its state in the metadata store is " + b.state()
                        + ": a live server takes it over within a few " + ConfigKeys.BATCH_APPLICATION_CHECK_INTERVAL
                        .name() + " rounds, then send the DELETE again");
            }
            throw new RestException(409, "Batch " + b.id() + " is followed by server " + b.kyuubiInstance()
                    + ", not this one: send the DELETE there (its application runs from that server), or set "
                    + ConfigKeys.THRIFT_HTTP_COOKIE_SECRETS.name() + " to the same keys on every server so that "
                    + "it is forwarded");
        }
        // recorded first: a check running meanwhile finds it ended and writes nothing over it
        canceled.add(b.id());
        tracked.remove(b.id());
        BatchApplication.Status st = app.status();
        Batch done = b.with(BatchState.CANCELED, st.appId(), st.appUrl(), "KILLED",
                "Killed on request of " + caller, clock.millis());
        write(done);
        app.kill();
        removeUpload(b.id());
        LOG.info("Batch {} of {} canceled by {}", b.id(), b.user(), caller);
        return new Dto.CloseBatchResponse(true, "Batch " + b.id() + " is canceled: its application was killed");
    }

    /** Lines [from, from + size) of the batch's local log. */
    List<String> localLog(Batch b, int from, int size) throws RestException {
        Path log = logOf(b);
        if (log == null || !Files.isRegularFile(log)) {
            Owner o = b.kyuubiInstance().equals(instance.get()) ? null : ownerOf(b);
            if (o != null && Boolean.FALSE.equals(o.live())) {
                throw RestException.notFound("The local log of batch " + b.id() + " is on server "
                        + b.kyuubiInstance() + ", which is gone (no longer registered): it cannot be read from here; "
                        + "its state in the metadata store is " + b.state() + " (GET /batches/" + b.id() + ")");
            }
            throw RestException.notFound("The local log of batch " + b.id() + " is not on this server (it was "
                    + "submitted from " + b.kyuubiInstance() + ")");
        }
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
            String line;
            int i = 0;
            while ((line = r.readLine()) != null && lines.size() < size) {
                if (i++ >= from) lines.add(line);
            }
        } catch (IOException e) {
            throw new RestException(500, "Cannot read the local log of batch " + b.id() + ": " + e.getMessage());
        }
        return lines;
    }

    private Path logOf(Batch b) {
        BatchApplication app = tracked.get(b.id());
        if (app != null) return app.localLog();
        BatchLauncher l = launcher.get();
        if (l == null) return null;
        return l.recover(b, conf.get()).map(BatchApplication::localLog).orElse(null);
    }

    // ---------------------------------------------------------------- following

    /** The application's state now, written to the store when it changed. */
    private Batch follow(Batch b, BatchApplication app) {
        BatchApplication.Status st = app.status();
        BatchState state = canceled.contains(b.id()) ? BatchState.CANCELED : st.state();
        if (state == b.state() && same(st.appId(), b.appId()) && same(st.appUrl(), b.appUrl())
                && same(st.appState(), b.appState())) {
            return b;
        }
        Batch next = b.with(state, st.appId(), st.appUrl(), st.appState(), st.diagnostic(),
                state.terminal() ? clock.millis() : 0);
        if (!write(next) || state.terminal()) tracked.remove(b.id());
        if (state.terminal()) removeUpload(b.id());
        if (state.terminal()) LOG.info("Batch {} of {} ended: {} ({})", b.id(), b.user(), state, st.appState());
        return next;
    }

    private static boolean same(String a, String b) {
        return a == null ? b == null : a.equals(b);
    }

    /** Writes the batch; false when the store refused it (another server owns it now, or it ended). */
    private boolean write(Batch b) {
        BatchStore s = store.get();
        if (s == null) return true; // the store comes back: the next check writes it
        try {
            boolean written = s.update(b);
            if (!written) LOG.info("Batch {} is no longer this server's to follow (owned by another, or ended)", b.id());
            return written;
        } catch (BatchStoreException e) {
            LOG.warn("Cannot record the state of batch {}: {}", b.id(), e.getMessage());
            return true;
        }
    }

    /** One round: follow owned batches, say this server is alive, take over orphans, clean old rows. */
    void check() {
        BatchStore s = store.get();
        String me = instance.get();
        if (s == null || me == null) return;
        for (Map.Entry<String, BatchApplication> e : tracked.entrySet()) {
            try {
                s.get(e.getKey()).ifPresentOrElse(b -> {
                    if (b.state().terminal() || !b.kyuubiInstance().equals(me)) {
                        tracked.remove(e.getKey());
                    } else {
                        follow(b, e.getValue());
                    }
                }, () -> tracked.remove(e.getKey()));
            } catch (BatchStoreException ex) {
                LOG.warn("Cannot read batch {}: {}", e.getKey(), ex.getMessage());
            }
        }
        publish(me);
        long now = clock.millis();
        try {
            s.heartbeat(me, now);
            takeOver(s, me, now);
        } catch (BatchStoreException e) {
            LOG.warn("Cannot look for batches to take over: {}", e.getMessage());
        }
        cleanup(s, now);
        try {
            sweepUploads(s, now);
        } catch (RuntimeException e) {
            LOG.warn("Cannot sweep the uploaded batch resources", e);
        }
    }

    private void takeOver(BatchStore s, String me, long now) throws BatchStoreException {
        KitsuneConf c = conf.get();
        long interval = c.get(ConfigKeys.BATCH_APPLICATION_CHECK_INTERVAL).toMillis();
        long staleBefore = now - Math.max(STALE_MIN.toMillis(), STALE_CHECKS * interval);
        BatchLauncher l = launcher.get();
        // without a launcher (its bundle not started yet after a restart) nothing could be found again: wait for it
        if (l == null) return;
        Set<String> registered = null;
        for (Batch b : s.unfinished()) {
            if (tracked.containsKey(b.id()) || submitting.contains(b.id())) continue;
            boolean mine = b.kyuubiInstance().equals(me);
            if (!mine) {
                if (registered == null) registered = registered();
                if (registered == null || registered.contains(b.kyuubiInstance())) continue;
            }
            // my own batch from before a restart: no other process of mine follows it
            if (!s.claim(b.id(), b.kyuubiInstance(), me, mine ? Long.MAX_VALUE : staleBefore)) continue;
            Batch owned = b.ownedBy(me);
            Optional<BatchApplication> app = l.recover(owned, c);
            if (app.isPresent()) {
                LOG.info("Took over batch {} of {} from {}", b.id(), b.user(), b.kyuubiInstance());
                tracked.put(b.id(), app.get());
                follow(owned, app.get());
            } else {
                LOG.warn("Took over batch {} of {} from {}, but its application cannot be found", b.id(), b.user(),
                        b.kyuubiInstance());
                write(owned.with(BatchState.ERROR, b.appId(), b.appUrl(), "LOST", "The server that followed this "
                        + "batch (" + b.kyuubiInstance() + ") ended, and its application cannot be found from "
                        + me + " (its process ended with no exit code left, or it ran on another host)", now));
                removeUpload(b.id());
            }
        }
    }

    /** host:port of every server registered in the namespace; null when ZooKeeper cannot tell. */
    private Set<String> registered() {
        Discovery d = discovery.get();
        if (d == null) return null;
        try {
            Set<String> out = new HashSet<>();
            for (ServiceNode n : d.list("/" + d.namespace())) out.add(n.hostPort());
            return out;
        } catch (Exception e) {
            LOG.debug("Cannot list the servers: {}", e.toString());
            return null;
        }
    }

    private void cleanup(BatchStore s, long now) {
        KitsuneConf c = conf.get();
        if (now - lastCleanup < c.get(ConfigKeys.METADATA_CLEANER_INTERVAL).toMillis()) return;
        lastCleanup = now;
        try {
            int removed = s.removeEndedBefore(now - c.get(ConfigKeys.METADATA_MAX_AGE).toMillis());
            if (removed > 0) {
                LOG.info("Removed {} batch(es) that ended more than {} ago ({})", removed,
                        c.get(ConfigKeys.METADATA_MAX_AGE), ConfigKeys.METADATA_MAX_AGE.name());
            }
        } catch (BatchStoreException e) {
            LOG.warn("Cannot remove old batches: {}", e.getMessage());
        }
    }

    // ---------------------------------------------------------------- helpers

    private BatchStore store() throws RestException {
        BatchStore s = store.get();
        if (s == null) {
            throw new RestException(503, "The batch metadata store is not available (see the server log for why; "
                    + ConfigKeys.METADATA_STORE_JDBC_URL.name() + "): retry later");
        }
        return s;
    }

    private String owner() throws RestException {
        String me = instance.get();
        if (me == null) throw new RestException(503, "This server is not registered yet: retry in a moment");
        return me;
    }

    /**
     * The resource as a real path under one of kitsune.batch.resource.dirs: a regular, readable file whose real
     * path (links resolved) stays under the directory.
     */
    static String resource(String resource, KitsuneConf conf) throws RestException {
        if (resource == null || resource.isBlank()) {
            throw RestException.badRequest("resource must name the application jar on the server");
        }
        if (resource.indexOf('\0') >= 0 || resource.chars().anyMatch(Character::isISOControl)) {
            throw RestException.badRequest("resource contains a control character");
        }
        String key = ConfigKeys.BATCH_RESOURCE_DIRS.name();
        List<String> dirs = conf.get(ConfigKeys.BATCH_RESOURCE_DIRS);
        if (dirs.isEmpty()) {
            throw new RestException(403, "This server accepts no local batch resources (" + key + " is empty): ask "
                    + "the operator to list the directory of " + LogText.of(resource) + " in " + key);
        }
        Path real;
        try {
            Path p = Path.of(resource.startsWith("file:") ? java.net.URI.create(resource).getPath() : resource);
            if (!p.isAbsolute()) throw RestException.badRequest("resource must be an absolute path, not "
                    + LogText.of(resource));
            real = p.toRealPath();
        } catch (IOException | IllegalArgumentException e) {
            throw RestException.badRequest("resource " + LogText.of(resource) + " is not a readable file on this "
                    + "server");
        }
        for (String dir : dirs) {
            try {
                Path d = Path.of(dir.trim()).toRealPath();
                if (real.startsWith(d) && Files.isRegularFile(real) && Files.isReadable(real)) return real.toString();
            } catch (IOException | IllegalArgumentException e) {
                // a listed directory that does not exist allows nothing
            }
        }
        throw new RestException(403, "resource " + LogText.of(resource) + " is not a file under " + key
                + " " + dirs + ": put the jar there, or ask the operator to list its directory");
    }

    /** The batch as Kyuubi's REST client reads it. */
    static Dto.Batch dto(Batch b) {
        Map<String, String> info = new LinkedHashMap<>();
        info.put("resource", b.resource());
        info.put("className", b.className());
        return new Dto.Batch(b.id(), b.user(), b.batchType(), b.name(), b.createTime(), b.appId(), b.appUrl(),
                b.appState(), b.appDiagnostic(), b.kyuubiInstance(), b.state().name(), b.createTime(), b.endTime(),
                info);
    }
}
