package dev.clipcurate.pipeline.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipcurate.pipeline.cli.CurateCliTest;
import dev.clipcurate.pipeline.common.AvroJson;
import dev.clipcurate.pipeline.common.TopicWriter;
import dev.clipcurate.pipeline.consent.ConsentPublisher;
import dev.clipcurate.pipeline.embedded.EmbeddedKafka;
import dev.clipcurate.pipeline.intake.ClipRejected;
import dev.clipcurate.pipeline.intake.ClipTask;
import dev.clipcurate.pipeline.intake.DonationMessage;
import dev.clipcurate.pipeline.intake.DonationParser;
import dev.clipcurate.pipeline.intake.DonationPublisher;
import dev.clipcurate.pipeline.privacy.DonorPseudonymizer;
import dev.clipcurate.pipeline.testing.HostileMessages;
import dev.clipcurate.pipeline.testing.KafkaBroker;
import dev.clipcurate.pipeline.testing.TestFootage;
import dev.clipcurate.pipeline.testing.Warehouses;
import dev.clipcurate.schemas.ClipRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real build (the {@code build} command, a MiniCluster, the in-process broker) over a few hundred generated
 * hostile donation messages and hostile consent events beside one good clip: it exits 0, every message is a row
 * of the clip manifest or a redelivery of a clip id already seen, no row is a processing_error or echoes its
 * payload, and the good clip is curated.
 */
class HostileMessagesITCase {
    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();
    private static final int HOSTILE_DONATIONS = 300;
    private static final int HOSTILE_CONSENT_EVENTS = 100;
    /** Larger messages are refused by the broker's default message.max.bytes, before any job sees them. */
    private static final int MAX_MESSAGE_BYTES = 900_000;

    @Test
    void aBuildOverHostileMessagesExitsZeroWithOneRowPerMessageAndCuratesTheGoodClip(@TempDir Path tmp) throws Exception {
        EmbeddedKafka kafka = KAFKA.get();
        String topic = "hostile";
        kafka.createTopic(topic, 2);
        Path landing = Files.createDirectories(tmp.resolve("landing"));
        Path good = Files.copy(TestFootage.megamind(), landing.resolve("good.avi"));
        byte[] decoyBytes = new byte[8192];
        new Random(3).nextBytes(decoyBytes);
        Path decoy = Files.write(landing.resolve("decoy.mp4"), decoyBytes);
        CurationOptions o = CurationBuildITCase.options(kafka, tmp, landing, topic);
        Path keyFile = Files.write(tmp.resolve("key"), o.pseudonymKey);

        // the generator's valid template names the decoy, never the good clip: no variant can take its place
        ObjectNode template = DonationPublisher.message(landing, decoy, null);
        ObjectNode subject = template.putArray("consented_subjects").addObject();
        subject.put("subject", "consent-form-1");
        subject.putObject("region").put("x", 0.1).put("y", 0.1).put("w", 0.2).put("h", 0.2);
        subject.put("from_ms", 0).put("to_ms", 1000);
        ObjectNode consentTemplate = AvroJson.toJson(ConsentPublisher.event("donor-hostile", "grant", "training", "t-1",
                null, "test"));
        HostileMessages generator = new HostileMessages(new Random(20261203), template, consentTemplate,
                landing.toUri().toString());

        DonationParser parser = new DonationParser(new DonorPseudonymizer(o.pseudonymKey));
        Set<String> seenIds = new HashSet<>();
        int expectedRows = 0;
        int expectedRedeliveries = 0;
        try (TopicWriter consent = new TopicWriter(kafka.bootstrapServers(), o.consentTopic)) {
            for (int i = 0; i < HOSTILE_CONSENT_EVENTS; i++) consent.send("hostile", sendable(generator::consentEvent));
        }
        try (DonationPublisher p = new DonationPublisher(kafka.bootstrapServers(), topic)) {
            ObjectNode goodMessage = DonationPublisher.message(landing, good, null);
            goodMessage.put("clip_id", "the-good-clip");
            p.send(goodMessage);
            seenIds.add("the-good-clip");
            expectedRows++;
            List<byte[]> sent = new java.util.ArrayList<>();
            for (int i = 0; i < HOSTILE_DONATIONS; i++) {
                // every tenth message is an earlier one sent again, as a producer's retry does
                byte[] bytes = i % 10 == 9 ? sent.get(i / 2) : sendable(generator::donation);
                sent.add(bytes);
                p.send("hostile-" + i, bytes);
                // what the job must make of it, judged here by the parser alone: a row, or a redelivery of an id
                try {
                    ClipTask task = parser.parse(new DonationMessage(topic, 0, i, 0, bytes));
                    if (seenIds.add(task.clipId)) expectedRows++;
                    else expectedRedeliveries++;
                } catch (ClipRejected rejectedAtParsing) {
                    expectedRows++;
                }
            }
        }

        CurateCliTest.Result build = CurateCliTest.run("build", "--bootstrap-servers", kafka.bootstrapServers(),
                "--topic", topic, "--rejected-topic", o.rejectedTopic, "--consent-topic", o.consentTopic,
                "--landing", landing.toString(), "--warehouse", o.warehouse, "--pseudonym-key-file", keyFile.toString());
        assertEquals(0, build.exit(), build.err());

        Path datasetDir = tmp.resolve("warehouse").resolve(o.dataset);
        JsonNode version = AvroJson.MAPPER.readTree(datasetDir.resolve("versions/v000001.json").toFile());
        JsonNode counts = version.get("counts");
        assertEquals(HOSTILE_DONATIONS + 1, counts.get("messages_consumed").asInt());
        List<ClipRow> rows = Warehouses.clipRows(datasetDir, version);
        assertEquals(expectedRows, rows.size(), counts.toString());
        assertEquals(expectedRedeliveries, counts.get("redelivered_dropped").asInt());
        Set<String> positions = new HashSet<>();
        Map<String, Integer> reasons = new TreeMap<>();
        for (ClipRow row : rows) {
            assertTrue(positions.add(row.getSourcePartition() + "@" + row.getSourceOffset()), "one row per message: " + row);
            reasons.merge(row.getReason() == null ? row.getDecision() : row.getReason(), 1, Integer::sum);
            if (row.getReasonDetail() != null) {
                assertFalse(row.getReasonDetail().contains(HostileMessages.MARKER), "echoes the payload: " + row.getReasonDetail());
            }
        }
        assertFalse(reasons.containsKey("processing_error"), reasons.toString());
        ClipRow goodRow = rows.stream().filter(r -> "the-good-clip".equals(r.getClipId())).findFirst().orElseThrow();
        assertEquals("accepted", goodRow.getDecision(), goodRow.toString());
        assertEquals(1, counts.get("clips_accepted").asInt(), reasons.toString());
        assertEquals(23, Warehouses.frameRows(datasetDir, version).size(), "the good clip's 11.3 s at 2 fps");
        System.out.printf("%d hostile donations and %d hostile consent events: %d rows, %d redeliveries, exit 0: %s%n",
                HOSTILE_DONATIONS, HOSTILE_CONSENT_EVENTS, rows.size(), expectedRedeliveries, reasons);
    }

    /**
     * The two messages of issue 13 (a NUL in clip_uri; a lone surrogate as raw CESU-8 bytes) and generated hostile
     * ones in a streaming run that may not restart even once: a poison message would fail it.
     */
    @Test
    void aStreamingRunThatMayNotRestartGetsPastThePoisonMessages(@TempDir Path tmp) throws Exception {
        EmbeddedKafka kafka = KAFKA.get();
        String topic = "hostile-stream";
        kafka.createTopic(topic, 2);
        Path landing = Files.createDirectories(tmp.resolve("landing"));
        Path good = Files.copy(TestFootage.megamind(), landing.resolve("good.avi"));
        CurationOptions o = CurationBuildITCase.options(kafka, tmp, landing, topic);
        o.restartAttempts = 0;
        o.checkpointInterval = java.time.Duration.ofMillis(500);
        ObjectNode template = DonationPublisher.message(landing, good, null);
        // the generated messages vary a decoy, never the good clip: in a stream the first copy to arrive is kept
        byte[] decoyBytes = new byte[4096];
        new Random(5).nextBytes(decoyBytes);
        ObjectNode decoy = DonationPublisher.message(landing, Files.write(landing.resolve("decoy.mp4"), decoyBytes), null);
        HostileMessages generator = new HostileMessages(new Random(7), decoy,
                AvroJson.toJson(ConsentPublisher.event("d", "grant", "training", null, null, null)), landing.toUri().toString());
        int sent = 0;
        try (DonationPublisher p = new DonationPublisher(kafka.bootstrapServers(), topic)) {
            // Jackson writes the NUL as a JSON escape (backslash, u, 0000), as the issue's producer did
            String nul = template.deepCopy().put("clip_id", "nul").put("clip_uri", "good.avi\u0000.txt").toString();
            p.send("nul", nul.getBytes(StandardCharsets.UTF_8));
            byte[] surrogate = template.deepCopy().put("clip_id", "surrogate").put("clip_uri", "@").toString()
                    .getBytes(StandardCharsets.UTF_8);
            p.send("surrogate", replaceAt(surrogate, (byte) '@', new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}));
            sent += 2;
            for (int i = 0; i < 50; i++, sent++) p.send("hostile-" + i, sendable(generator::donation));
            ObjectNode goodMessage = template.deepCopy().put("clip_id", "the-good-clip");
            p.send(goodMessage);
            sent++;
        }
        var sealed = new CurationRunner(o, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
                .run(CurationRunner.Mode.STREAMING, true, List.of("hostile-stream-test"));
        Path datasetDir = tmp.resolve("warehouse").resolve(o.dataset);
        List<ClipRow> rows = Warehouses.clipRows(datasetDir, sealed.document());
        assertEquals(sent, sealed.document().get("counts").get("messages_consumed").asInt());
        Map<String, String> byId = new TreeMap<>();
        rows.forEach(r -> { if (r.getClipId() != null) byId.put(r.getClipId(), r.getReason() == null ? r.getDecision() : r.getReason()); });
        assertEquals("schema_violation", byId.get("nul"));
        assertEquals("accepted", byId.get("the-good-clip"), byId.toString());
        assertTrue(rows.stream().noneMatch(r -> "processing_error".equals(r.getReason())), byId.toString());
        assertTrue(rows.stream().anyMatch(r -> r.getClipId() == null && "malformed_json".equals(r.getReason())),
                "the raw surrogate's row");
    }

    private static byte[] replaceAt(byte[] bytes, byte marker, byte[] with) {
        int at = 0;
        while (bytes[at] != marker) at++;
        byte[] out = new byte[bytes.length - 1 + with.length];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(with, 0, out, at, with.length);
        System.arraycopy(bytes, at + 1, out, at + with.length, bytes.length - at - 1);
        return out;
    }

    private static byte[] sendable(java.util.function.Supplier<HostileMessages.Message> next) {
        while (true) {
            byte[] bytes = next.get().bytes();
            if (bytes.length <= MAX_MESSAGE_BYTES) return bytes;
        }
    }
}
