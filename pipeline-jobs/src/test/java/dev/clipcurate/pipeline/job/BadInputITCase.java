package dev.clipcurate.pipeline.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipcurate.pipeline.common.AvroJson;
import dev.clipcurate.pipeline.embedded.EmbeddedKafka;
import dev.clipcurate.pipeline.consent.ConsentPublisher;
import dev.clipcurate.pipeline.intake.DonationPublisher;
import dev.clipcurate.pipeline.shards.VersionSealer;
import dev.clipcurate.pipeline.testing.TestClips;
import dev.clipcurate.pipeline.testing.KafkaBroker;
import dev.clipcurate.pipeline.testing.TestFootage;
import dev.clipcurate.pipeline.testing.Warehouses;
import dev.clipcurate.schemas.ClipRow;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every class of bad input, in one real build: each gets its reason code in the clip manifest and on the
 * rejected topic, and the one good clip still makes it into the shards.
 */
class BadInputITCase {
    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();

    @Test
    void eachBadInputIsRecordedWithItsReasonAndLosesNothingElse(@TempDir Path tmp) throws Exception {
        EmbeddedKafka kafka = KAFKA.get();
        String topic = "bad-inputs";
        kafka.createTopic(topic, 2);
        Path landing = Files.createDirectories(tmp.resolve("landing"));
        Path outside = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.copy(TestFootage.megamind(), landing.resolve("good.avi"));
        Files.copy(TestFootage.streetCamera(), landing.resolve("too-long.avi")); // 79.5 s > 60 s
        Files.copy(TestFootage.megamind(), outside.resolve("private.avi"));
        Files.createSymbolicLink(landing.resolve("sneaky.avi"), outside.resolve("private.avi"));
        Files.writeString(landing.resolve("letter.mp4"), "Dear curators,\n".repeat(100));
        byte[] noise = new byte[10 << 20];
        new Random(1).nextBytes(noise);
        Files.write(landing.resolve("huge.mp4"), noise);
        TestClips.truncatedCopy(TestClips.write(tmp.resolve("whole.avi"), 320, 240, 25, 8), landing.resolve("cut.avi"), 0.5);
        TestClips.write(landing.resolve("hd.mp4"), 1280, 720, 5, 2);
        // 6 s of the street camera, people in view: the corrected message's clip is accepted
        TestClips.variant(TestFootage.streetCamera(), landing.resolve("fixed.avi"), 30, 36, false, 1.0, 0.5);
        // moving colour bars, nobody in view: a valid video nobody can train on
        TestClips.write(landing.resolve("pattern.avi"), 320, 240, 25, 6);

        CurationOptions o = CurationBuildITCase.options(kafka, tmp, landing, topic);
        o.maxFileBytes = 9L << 20;
        o.maxDurationSeconds = 60;
        o.maxWidth = 1024;
        o.maxHeight = 1024;

        Map<String, String> expected = new TreeMap<>();
        try (DonationPublisher p = new DonationPublisher(kafka.bootstrapServers(), topic)) {
            for (String file : List.of("good.avi", "too-long.avi", "sneaky.avi", "letter.mp4", "huge.mp4", "cut.avi", "hd.mp4",
                    "pattern.avi")) {
                ObjectNode m = DonationPublisher.message(landing, landing.resolve(file), null);
                m.put("clip_id", file);
                p.send(m);
            }
            expected.putAll(Map.of("good.avi", "accepted", "too-long.avi", "duration_over_limit",
                    "sneaky.avi", "uri_outside_landing", "letter.mp4", "not_a_video", "huge.mp4", "file_too_large",
                    "cut.avi", "truncated_video", "hd.mp4", "resolution_over_limit", "pattern.avi", "low_score"));

            ObjectNode dotdot = DonationPublisher.message(landing, landing.resolve("good.avi"), null);
            dotdot.put("clip_id", "dotdot").put("clip_uri", "../elsewhere/private.avi");
            p.send(dotdot);
            expected.put("dotdot", "uri_outside_landing");

            ObjectNode absolute = DonationPublisher.message(landing, landing.resolve("good.avi"), null);
            absolute.put("clip_id", "absolute").put("clip_uri", outside.resolve("private.avi").toUri().toString());
            p.send(absolute);
            expected.put("absolute", "uri_outside_landing");

            ObjectNode missing = DonationPublisher.message(landing, landing.resolve("good.avi"), null);
            missing.put("clip_id", "missing").put("clip_uri", "not-uploaded-yet.avi");
            p.send(missing);
            expected.put("missing", "missing_file");

            ObjectNode tampered = DonationPublisher.message(landing, landing.resolve("good.avi"), null);
            tampered.put("clip_id", "tampered").put("sha256", "f".repeat(64));
            p.send(tampered);
            expected.put("tampered", "sha256_mismatch");

            ObjectNode noConsentVersion = DonationPublisher.message(landing, landing.resolve("good.avi"), null);
            noConsentVersion.put("clip_id", "incomplete");
            ((ObjectNode) noConsentVersion.get("consent")).remove("version");
            p.send(noConsentVersion);
            expected.put("incomplete", "accepted+schema_violation");

            // the producer fixes the message and sends it again under the same clip id: curated normally
            ObjectNode corrected = DonationPublisher.message(landing, landing.resolve("fixed.avi"), null);
            corrected.put("clip_id", "incomplete");
            p.send(corrected);

            // the same file as good.avi, donated again later under another id: an exact copy, never decoded
            ObjectNode again = DonationPublisher.message(landing, landing.resolve("good.avi"), null);
            again.put("clip_id", "good-again");
            ((ObjectNode) again.get("capture")).put("captured_at", "2030-01-01T00:00:00Z");
            p.send(again);
            expected.put("good-again", "exact_copy");

            // a donor who never granted consent, and one who granted and then revoked it: never decoded
            try (ConsentPublisher consent = new ConsentPublisher(kafka.bootstrapServers(), o.consentTopic)) {
                consent.grantTraining(List.of("donor-who-left"), "terms-1", "test");
                consent.publish(ConsentPublisher.event("donor-who-left", ConsentPublisher.REVOKE, "training", null, null, "test"));
            }
            for (String donor : List.of("donor-never-asked", "donor-who-left")) {
                ObjectNode unconsented = DonationPublisher.message(landing, landing.resolve("good.avi"), null);
                unconsented.put("clip_id", donor + "-clip").put("donor_id", donor);
                p.send(unconsented);
                expected.put(donor + "-clip", "no_consent");
            }

            p.send("junk", "{\"clip_id\": \"junk\", \"donor_id\": \"raw-donor-77\"".getBytes(StandardCharsets.UTF_8));
        }

        VersionSealer.Sealed v = new CurationRunner(o, new PrintStream(java.io.OutputStream.nullOutputStream()))
                .run(CurationRunner.Mode.BATCH, true, List.of());
        JsonNode counts = v.document().get("counts");
        assertEquals(expected.size() + 2, counts.get("manifest_rows").asLong(), counts.toString());

        Path datasetDir = tmp.resolve("warehouse").resolve(o.dataset);
        Map<String, String> actual = new TreeMap<>();
        ClipRow junk = null;
        for (ClipRow row : Warehouses.clipRows(datasetDir, v.document())) {
            if (row.getClipId() == null) {
                junk = row;
                continue;
            }
            actual.merge(row.getClipId(), row.getReason() == null ? row.getDecision() : row.getReason(),
                    (a, b) -> String.join("+", new java.util.TreeSet<>(List.of(a, b))));
            if ("duplicate".equals(row.getDecision())) {
                assertEquals("good.avi", row.getDupOf());
            } else if (!"accepted".equals(row.getDecision())) {
                assertEquals("rejected", row.getDecision());
                assertTrue(row.getReasonDetail() != null && !row.getReasonDetail().isBlank(), row.getClipId());
            }
        }
        assertEquals(expected, actual);
        assertEquals("malformed_json", junk.getReason());
        assertFalse(junk.getReasonDetail().contains("raw-donor-77"));
        assertEquals(23 + 12, Warehouses.frameRows(datasetDir, v.document()).size(),
                "good.avi (11.3 s) and the corrected message's clip (6 s), at 2 fps");

        // the same reasons reach the rejected topic
        Map<String, String> published = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-rejections",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(o.rejectedTopic));
            long deadline = System.currentTimeMillis() + 30_000;
            while (published.size() < expected.size() && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> {
                    try {
                        JsonNode row = AvroJson.MAPPER.readTree(r.value());
                        published.put(row.get("clip_id").isNull() ? "(unparsed)" : row.get("clip_id").asText(),
                                row.get("reason").asText());
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
            }
        }
        Map<String, String> expectedPublished = new TreeMap<>(expected);
        expectedPublished.remove("good.avi");
        expectedPublished.put("incomplete", "schema_violation");
        expectedPublished.put("(unparsed)", "malformed_json");
        assertEquals(expectedPublished, new TreeMap<>(published));
    }
}
