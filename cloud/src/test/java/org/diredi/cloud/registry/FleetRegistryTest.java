package org.diredi.cloud.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.diredi.cloud.CloudConfig;
import org.diredi.vision.config.ConfigFiles.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry file: read back as written, validated on load, and no writer undoes another's change. */
class FleetRegistryTest {

    @TempDir
    Path dir;

    static CloudConfig.Customer customer() {
        return new CloudConfig.Customer("t.ckpt", "e.ckpt", "cpu/edge", 0, List.of(), List.of());
    }

    @Test
    void whatIsWrittenReadsBackAndAMissingRegistryIsEmpty() throws Exception {
        FleetRegistry r = new FleetRegistry(dir.resolve("fleet/registry.json"));
        assertEquals(FleetRegistry.Contents.EMPTY, r.read());
        FleetRegistry.Contents c = r.update(x -> x.with("acme", customer().withDevice(new CloudConfig.Device("cam-01",
                "imx500")).withOnprem("acme-onprem")));
        assertEquals(c, r.read());
        assertEquals("imx500", r.read().customers().get("acme").device("cam-01").orElseThrow().profile());
        assertEquals(List.of("acme-onprem"), r.read().customers().get("acme").onprem());
    }

    @Test
    void aCorruptRegistryIsAnErrorNamingTheFile() throws Exception {
        FleetRegistry r = new FleetRegistry(dir.resolve("registry.json"));
        for (String[] bad : new String[][] {
                {"{\"customers\": {\"acme\": ", "not valid JSON"},
                {"{\"customers\": {\"acme\": {\"tutor\": \"t\", \"edge\": \"e\", \"edgePreset\": \"cpu/edge\","
                        + " \"devices\": [{\"id\": \"c1\", \"profile\": \"cpu\"}, {\"id\": \"c1\", \"profile\": \"cpu\"}]}}}",
                        "device id 'c1' is given twice"},
                {"{\"customers\": {\"a/b\": {\"tutor\": \"t\", \"edge\": \"e\", \"edgePreset\": \"cpu/edge\"}}}",
                        "invalid customer id 'a/b'"},
                {"{\"customers\": {\"acme\": {\"tutor\": \"t\", \"edge\": \"e\", \"edgePreset\": \"cpu/edge\","
                        + " \"devices\": [{\"id\": \"c1\"}]}}}", "device c1: a profile is required"},
                {"{\"customerz\": {}}", "unknown key 'customerz'"}}) {
            Files.writeString(r.file(), bad[0]);
            ConfigException e = assertThrows(ConfigException.class, r::read);
            assertTrue(e.getMessage().startsWith(r.file().toString()) && e.getMessage().contains(bad[1]),
                    e.getMessage());
        }
    }

    @Test
    void concurrentWritersLoseNoChange() throws Exception {
        FleetRegistry r = new FleetRegistry(dir.resolve("registry.json"));
        r.update(x -> x.with("acme", customer()));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String id = "cam-" + i;
            // a fresh registry object each time, as separate enrolments would have
            done.add(pool.submit(() -> new FleetRegistry(r.file()).update(x -> x.with("acme",
                    x.customers().get("acme").withDevice(new CloudConfig.Device(id, "cpu"))))));
        }
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(40, r.read().customers().get("acme").devices().size());
    }
}
