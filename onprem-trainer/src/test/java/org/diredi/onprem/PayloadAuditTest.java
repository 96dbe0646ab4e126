package org.diredi.onprem;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.diredi.broker.BrokerConfig;
import org.diredi.broker.EmbeddedBroker;
import org.diredi.core.TestData;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.checkpoint.TensorFile;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.TransferManifest;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.data.VocImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Private images never leave the customer: every byte the on-prem trainer publishes is captured by a
 * cloud-role spy on {@code diredi/v1/#}, and all of it is the transfer manifest plus the delta file,
 * whose tensors are all named neck / head parameters; no private image bytes or names appear. So for
 * every delta form, and with differential privacy.
 */
class PayloadAuditTest {

    @TempDir
    Path dir;

    record Msg(String topic, byte[] payload, Map<String, String> props) {}

    @Test
    void everyPublishedByteIsTheDeltaManifestOrNamedNeckAndHeadTensors() throws Exception {
        VocDataset scenes = TestData.scenes(dir.resolve("data"), 8);
        ClassList classes = ClassList.FASHION;
        // split the label space by what the scenes hold: the most frequent class is "added" by the customer
        Map<String, Integer> freq = new TreeMap<>();
        scenes.images().forEach(i -> i.objects().forEach(o -> freq.merge(classes.name(o.classId()), 1, Integer::sum)));
        String added = freq.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        List<String> presumed = freq.keySet().stream().filter(c -> !c.equals(added)).toList();
        Map<String, Path> models = TestData.tinyTutorAndEdge(dir.resolve("m"), scenes.restrictTo(presumed));
        Path tutor = models.get("tutor");
        Path edge = models.get("edge");

        String pw = "s3cret-onprem";
        BrokerConfig bc = BrokerConfig.defaults().withPort(0).withDataDir(dir.resolve("broker")).withUsers(List.of(
                new BrokerConfig.User("acme-onprem", BrokerConfig.hashPassword(pw.toCharArray()), BrokerConfig.ONPREM,
                        "acme", null),
                new BrokerConfig.User("cloud", BrokerConfig.hashPassword("c".toCharArray()), BrokerConfig.CLOUD, null, null)));
        List<Msg> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        try (EmbeddedBroker broker = EmbeddedBroker.start(bc);
             MqttLink spy = new MqttLink(MqttLink.Options.of(broker.serverUri(), "cloud").withCredentials("cloud", "c"))) {
            spy.connect();
            spy.subscribe("diredi/v1/#", 1, (t, p, u) -> seen.add(new Msg(t, p, u)));
            OnPremConfig c = OnPremConfig.DEFAULTS.with(Map.ofEntries(Map.entry("customer", "acme"),
                    Map.entry("broker", broker.serverUri()), Map.entry("username", "acme-onprem"),
                    Map.entry("password", pw), Map.entry("presumedData", dir.resolve("data").toString()),
                    Map.entry("presumed", presumed), Map.entry("privateData", dir.resolve("data").toString()),
                    Map.entry("added", List.of(added)), Map.entry("edgeModel", edge.toString()),
                    Map.entry("tutor", tutor.toString()), Map.entry("tutorPreset", "tiny/tutor"),
                    Map.entry("workDir", dir.resolve("onprem").toString()), Map.entry("epochs", 1),
                    Map.entry("beta", 0.1f), Map.entry("chunkBytes", 4096), Map.entry("decisionTimeoutSeconds", 2)));
            List<Map<String, Object>> uploads = List.of(Map.of(), Map.of("deltaForm", "float32"),
                    Map.of("deltaForm", "sparse", "sparseDensity", 0.05), Map.of("deltaForm", "int8"),
                    Map.of("deltaForm", "sparse-int8", "sparseDensity", 0.3), Map.of("deltaForm", "sparse", "privacy", Map.of("enabled", true, "clipNorm", 0.5,
                            "noiseMultiplier", 1.0, "seed", 5)));
            List<String> forms = new ArrayList<>();
            for (Map<String, Object> u : uploads) {
                OnPremTrainer t = new OnPremTrainer(c.with(u), System.out);
                ReverseDistillation.Outcome rd = t.train(); // RD A and RD B are cached: only the delta is rewritten
                if (forms.isEmpty()) {
                    assertOnlyNeckAndHeadTrained(tutor, rd.tutor2());
                }
                seen.clear();
                try (MqttLink link = t.connect()) {
                    // nobody decides here: the upload completes, then the wait for a decision times out
                    var e = assertThrows(IllegalStateException.class, () -> t.upload(rd.delta(), link));
                    assertTrue(e.getMessage().contains("upload itself completed"), e.getMessage());
                }
                Thread.sleep(500);
                KnowledgeDelta d = audit(seen, rd.delta(), scenes, added);
                forms.add(d.manifest().form() + (d.manifest().privacy() == null ? "" : "+dp"));
                assertEquals(u.getOrDefault("deltaForm", "float16"), d.manifest().form(), "float16 by default");
                assertEquals(u.containsKey("privacy"), d.manifest().privacy() != null);
            }
            assertEquals(List.of("float16", "float32", "sparse", "int8", "sparse-int8", "sparse+dp"), forms);
        }
    }

    /** Checks what the spy saw: the transfer manifest and the delta file's chunks, and nothing private. */
    private KnowledgeDelta audit(List<Msg> seen, Path delta, VocDataset scenes, String added) throws Exception {
        byte[] deltaBytes = Files.readAllBytes(delta);
        TransferManifest header = null;
        Map<Integer, byte[]> chunks = new TreeMap<>();
        long published = 0;
        for (Msg m : List.copyOf(seen)) {
            published += m.payload().length;
            assertTrue(m.topic().startsWith("diredi/v1/customers/acme/onprem/delta/"), m.topic());
            if (m.topic().endsWith("/manifest")) {
                header = TransferManifest.fromJson(m.payload());
            } else {
                chunks.put(Integer.parseInt(m.props().get("index")), m.payload());
            }
        }
        assertTrue(header != null, "the transfer manifest was published");
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] b : chunks.values()) {
            all.write(b);
        }
        assertArrayEquals(deltaBytes, all.toByteArray(), "the chunks are exactly the delta file");
        assertEquals(header.size(), deltaBytes.length);
        int headerBytes = seen.stream().filter(m -> m.topic().endsWith("/manifest")).mapToInt(m -> m.payload().length).sum();
        assertEquals(deltaBytes.length + headerBytes, published, "nothing else was published");

        // the delta file: a manifest of counts and names, and tensors named after neck / head parameters only
        Path back = Files.write(dir.resolve("reassembled.delta"), all.toByteArray());
        KnowledgeDelta d = KnowledgeDelta.read(back);
        assertFalse(d.tensors().isEmpty());
        for (TensorFile.Tensor x : d.tensors()) {
            assertTrue(x.name().startsWith("02neck_") || x.name().startsWith("03head_"), x.name());
        }
        String manifestJson = new String(header.manifest(), StandardCharsets.UTF_8);
        // no private image ids, file names or pixel bytes anywhere in what was published
        byte[] stream = concat(seen);
        for (VocImage img : scenes.images()) {
            assertFalse(manifestJson.contains(img.id()), "image id " + img.id() + " leaked");
            byte[] px = Files.readAllBytes(img.imagePath());
            byte[] probe = java.util.Arrays.copyOfRange(px, px.length / 2, px.length / 2 + 32);
            assertFalse(indexOf(stream, probe) >= 0, "bytes of " + img.imagePath().getFileName() + " leaked");
        }
        var dm = org.diredi.vision.config.ConfigFiles.JSON.readValue(header.manifest(),
                org.diredi.core.delta.DeltaManifest.class);
        assertEquals(List.of(added), dm.classesAdded());
        assertEquals(d.manifest().tensorsSha256(), dm.tensorsSha256(), "the announced manifest is the file's");
        return d;
    }

    private static byte[] concat(List<Msg> ms) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        synchronized (ms) {
            ms.forEach(m -> o.writeBytes(m.payload()));
        }
        return o.toByteArray();
    }

    /** Where {@code needle} first stands in {@code hay}, or -1. */
    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** RD trains the neck and head only: the backbone tensors are bit-identical to the original tutor's. */
    private static void assertOnlyNeckAndHeadTrained(Path original, Path tutor2) {
        Map<String, float[]> before = new TreeMap<>();
        Checkpoint.read(original).weights().forEach(x -> before.put(x.name(), x.data()));
        int moved = 0;
        for (TensorFile.Tensor x : Checkpoint.read(tutor2).weights()) {
            if (FcosDetector.isNeckOrHead(x.name())) {
                moved += java.util.Arrays.equals(before.get(x.name()), x.data()) ? 0 : 1;
            } else if (!x.name().contains("running")) { // batch-norm statistics follow the data, not the optimizer
                assertArrayEquals(before.get(x.name()), x.data(), x.name() + " changed in RD A");
            }
        }
        assertTrue(moved > 0, "RD A changed no neck or head tensor");
    }
}
