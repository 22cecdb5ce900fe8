package kitsune.console.impl;

import java.util.ArrayList;
import java.util.List;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import kitsune.api.registry.DiscoveryException;
import kitsune.api.session.SessionInfo;

/**
 * The kitsune:* Gogo commands. A plain service: Gogo finds it by its osgi.command.* properties and calls the public
 * methods, so this bundle does not import Gogo. Each returns the text to print.
 */
@Component(service = KitsuneCommands.class, property = {
        "osgi.command.scope=kitsune",
        "osgi.command.function=sessions",
        "osgi.command.function=engines",
        "osgi.command.function=servers",
        "osgi.command.function=drain",
        "osgi.command.function=close"})
public class KitsuneCommands {
    @Reference
    private KitsuneOverview overview;

    /** kitsune:sessions — this server's open sessions. */
    public String sessions() {
        if (!overview.hasSessionManager()) return "No session manager is running\n";
        List<List<String>> rows = new ArrayList<>();
        for (KitsuneOverview.SessionRow r : overview.sessions()) {
            SessionInfo s = r.info();
            rows.add(List.of(s.id(), nz(s.user()), nz(s.clientAddress()), nz(s.engine()),
                    KitsuneOverview.human(r.age()), KitsuneOverview.human(r.idle()),
                    String.valueOf(s.openOperations())));
        }
        return Text.table(List.of("ID", "USER", "CLIENT", "ENGINE", "AGE", "IDLE", "OPERATIONS"), rows);
    }

    /** kitsune:servers — the servers registered in this server's namespace. */
    public String servers() {
        try {
            List<List<String>> rows = new ArrayList<>();
            for (KitsuneOverview.ServerRow s : overview.servers()) {
                rows.add(List.of(s.host(), String.valueOf(s.port()), nz(s.version()), s.znode(), s.self() ? "*" : ""));
            }
            return Text.table(List.of("HOST", "PORT", "VERSION", "ZNODE", "THIS"), rows);
        } catch (DiscoveryException e) {
            return "Error: " + e.getMessage() + "\n";
        }
    }

    /** kitsune:engines — the engines registered in every engine space of this namespace. */
    public String engines() {
        try {
            List<List<String>> rows = new ArrayList<>();
            for (EngineTree.EngineRow e : overview.engines()) {
                rows.add(List.of(e.user(), e.shareLevel(), e.subdomain(), e.hostPort(), e.versionSlot(),
                        e.application(), e.master(), KitsuneOverview.human(e.age()), e.znode()));
            }
            return Text.table(List.of("USER", "SHARE LEVEL", "SUBDOMAIN", "ENGINE", "SPACE VERSION", "APPLICATION",
                    "MASTER", "AGE", "ZNODE"), rows);
        } catch (DiscoveryException e) {
            return "Error: " + e.getMessage() + "\n";
        }
    }

    /** kitsune:drain — de-registers this server: it refuses new sessions and stops after its last one. */
    public String drain() {
        return line(overview.drain());
    }

    /** kitsune:close ID — closes one session of this server (its engine keeps running). */
    public String close(String sessionId) {
        return line(overview.closeSession(sessionId));
    }

    private static String line(KitsuneOverview.Result r) {
        return (r.ok() ? "" : "Error: ") + r.message() + "\n";
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
