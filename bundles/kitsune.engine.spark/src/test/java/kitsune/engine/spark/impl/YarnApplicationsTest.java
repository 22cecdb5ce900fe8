package kitsune.engine.spark.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class YarnApplicationsTest {
    @TempDir
    Path dir;

    @Test
    void theResourceManagersWebAddressComesFromYarnSite() throws Exception {
        Files.writeString(dir.resolve("yarn-site.xml"), """
                <?xml version="1.0"?>
                <configuration>
                  <property><name>yarn.resourcemanager.hostname</name><value>rm.example.com</value></property>
                  <property><name>yarn.resourcemanager.webapp.address</name><value>rm.example.com:8088</value></property>
                </configuration>
                """);
        assertEquals(List.of("rm.example.com:8088"),
                YarnApplications.webAddresses(YarnApplications.properties(dir.resolve("yarn-site.xml"))));
        assertTrue(YarnApplications.of(Map.of("HADOOP_CONF_DIR", dir.toString())).isPresent());
        assertTrue(YarnApplications.of(Map.of("HADOOP_CONF_DIR", dir.resolve("none").toString())).isEmpty()
                || System.getenv("HADOOP_CONF_DIR") != null);
    }

    @Test
    void withResourceManagerHaEveryRmIdIsTried() {
        Map<String, String> site = Map.of("yarn.resourcemanager.ha.rm-ids", "rm1, rm2",
                "yarn.resourcemanager.webapp.address.rm1", "rm-a:8088",
                "yarn.resourcemanager.hostname.rm2", "rm-b");
        assertEquals(List.of("rm-a:8088", "rm-b:8088"), YarnApplications.webAddresses(site));
        assertEquals(List.of("rm:8088"), YarnApplications.webAddresses(Map.of("yarn.resourcemanager.hostname", "rm")));
    }

    @Test
    void aYarnSiteWithADoctypeIsRefusedNotExpanded() throws Exception {
        Files.writeString(dir.resolve("yarn-site.xml"), "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM "
                + "\"file:///etc/passwd\">]><configuration><property><name>a</name><value>&e;</value></property>"
                + "</configuration>");
        assertThrows(IOException.class, () -> YarnApplications.properties(dir.resolve("yarn-site.xml")));
    }

    @Test
    void theApplicationIdIsReadFromTheSubmissionLog() {
        assertEquals(Optional.of("application_1764923456789_0007"), YarnApplications.idIn(
                "25/12/05 INFO Client: Submitted application application_1764923456789_0007\n"));
        assertEquals(Optional.empty(), YarnApplications.idIn("nothing submitted yet"));
    }
}
