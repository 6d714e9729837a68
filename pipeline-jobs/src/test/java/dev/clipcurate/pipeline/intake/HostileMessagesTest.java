package dev.clipcurate.pipeline.intake;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipcurate.pipeline.common.AvroJson;
import dev.clipcurate.pipeline.consent.ParseConsentEvent;
import dev.clipcurate.pipeline.privacy.DonorPseudonymizer;
import dev.clipcurate.pipeline.testing.HostileMessages;
import dev.clipcurate.schemas.ClipRow;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Generated hostile messages through the parser and the landing resolver, thousands per run: each ends as a clip
 * to judge or a rejection with a reason code, never another exception, and no reason detail echoes the payload.
 * The seeds are fixed so that CI sees the same messages every time; a failure names the seed and the attack.
 */
class HostileMessagesTest {
    private static final byte[] KEY = "hostile-test-key-0123456789".getBytes(StandardCharsets.UTF_8);
    private static final Set<String> PARSE_REASONS = Set.of("malformed_json", "schema_violation");
    private static final Set<String> RESOLVE_REASONS = Set.of("uri_outside_landing", "missing_file", "read_error",
            "size_mismatch", "sha256_mismatch", "file_too_large");
    /** Writes every non-ASCII character as a JSON escape, so that lone surrogates survive as {@code \ud800}. */
    private static final ObjectMapper ESCAPING = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    private static Path landing;
    private static ObjectNode validDonation;
    private static ObjectNode validConsent;
    private static DonationParser parser;
    private static ResolveLandingFile resolver;

    @BeforeContainer
    static void landingAreaWithOneClip() throws Exception {
        landing = Files.createTempDirectory("hostile-landing");
        byte[] clip = new byte[4096];
        new Random(7).nextBytes(clip);
        Path good = Files.write(landing.resolve("good.mp4"), clip);
        validDonation = DonationPublisher.message(landing, good, null);
        validDonation.put("declared_staged", true);
        ObjectNode subject = validDonation.putArray("consented_subjects").addObject();
        subject.put("subject", "consent-form-17");
        subject.putObject("region").put("x", 0.1).put("y", 0.1).put("w", 0.3).put("h", 0.5);
        subject.put("from_ms", 0).put("to_ms", 5000);
        validConsent = AvroJson.toJson(dev.clipcurate.pipeline.consent.ConsentPublisher.event("donor-1", "grant", "training",
                "terms-1", java.time.Instant.parse("2026-11-01T00:00:00Z"), "app"));
        parser = new DonationParser(new DonorPseudonymizer(KEY));
        resolver = new ResolveLandingFile(new LandingArea(landing.toString()), 1 << 20, "b1");
    }

    @AfterContainer
    static void removeLandingArea() throws Exception {
        try (var files = Files.walk(landing)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Example
    void theTemplatesAreValid() throws Exception {
        ClipTask task = parser.parse(message(validDonation.toString().getBytes(StandardCharsets.UTF_8)));
        assertTrue(resolver.check(task).toString().endsWith("good.mp4"));
        ParseConsentEvent.parse(message(validConsent.toString().getBytes(StandardCharsets.UTF_8)),
                new DonorPseudonymizer(KEY));
    }

    @Example
    void theTwoMessagesOfTheIssueAreRejectedAtParsing() {
        for (String uri : List.of("\"cam1.mp4\\u0000.txt\"", "\"\\ud800\"")) {
            byte[] bytes = validDonation.toString().replace("\"clip_uri\":\"good.mp4\"", "\"clip_uri\":" + uri)
                    .getBytes(StandardCharsets.UTF_8);
            assertEquals("schema_violation", outcome(bytes), uri);
        }
        byte[] cesu = validDonation.toString().replace("good.mp4", "@").getBytes(StandardCharsets.UTF_8);
        byte[] raw = new byte[cesu.length + 2];
        int at = new String(cesu, StandardCharsets.UTF_8).indexOf('@');
        System.arraycopy(cesu, 0, raw, 0, at);
        raw[at] = (byte) 0xED;
        raw[at + 1] = (byte) 0xA0;
        raw[at + 2] = (byte) 0x80;
        System.arraycopy(cesu, at + 1, raw, at + 3, cesu.length - at - 1);
        assertEquals("malformed_json", outcome(raw));
    }

    @Property(tries = 3000, seed = "20261203")
    void everyHostileDonationEndsAsAClipOrARejection(@ForAll long seed) {
        HostileMessages.Message m = generator(seed).donation();
        String outcome = outcome(m.bytes());
        if (m.mustFailParsing()) {
            assertTrue(PARSE_REASONS.contains(outcome), m.attack() + " (seed " + seed + ") gave " + outcome);
        }
    }

    @Property(tries = 1500, seed = "20261204")
    void everyHostileConsentEventIsParsedOrRefusedWithAReason(@ForAll long seed) {
        HostileMessages.Message m = generator(seed).consentEvent();
        try {
            ParseConsentEvent.parse(message(m.bytes()), new DonorPseudonymizer(KEY));
            assertFalse(m.mustFailParsing(), m.attack() + " (seed " + seed + ") was accepted");
        } catch (IllegalArgumentException e) {
            String reason = e.getMessage().substring(0, Math.max(0, e.getMessage().indexOf(':')));
            assertTrue(PARSE_REASONS.contains(reason), m.attack() + ": " + e.getMessage());
            assertFalse(e.getMessage().contains(HostileMessages.MARKER), m.attack() + " echoed: " + e.getMessage());
        }
    }

    /** Clip URIs in every form the landing area parses: a path inside the landing root, or uri_outside_landing. */
    @Property(tries = 1000, seed = "20261206")
    void everyClipUriResolvesInsideTheLandingRootOrIsRefused(@ForAll long seed) throws Exception {
        String uri = generator(seed).uri();
        LandingArea area = new LandingArea(landing.toString());
        try {
            org.apache.flink.core.fs.Path path = area.resolve(uri);
            assertTrue(path.toUri().toString().startsWith(area.root()) || path.toUri().toString().startsWith("file:"
                    + landing.toRealPath().toUri().getPath()), uri + " resolved to " + path);
            Path local = Path.of(path.toUri());
            assertTrue(local.normalize().startsWith(landing.normalize()), uri + " resolved to " + local);
        } catch (ClipRejected e) {
            assertTrue(Set.of("uri_outside_landing", "read_error").contains(e.reason().code()), uri + ": " + e.reason().code());
            assertFalse(e.getMessage().contains(HostileMessages.MARKER), uri + " echoed: " + e.getMessage());
        }
    }

    /** jqwik's own strings (any UTF-16 unit, surrogates included) in every text field of a donation. */
    @Property(tries = 2000, seed = "20261205")
    void anyTextInAnyFieldIsJudgedByItsCharacters(@ForAll("texts") String generated, @ForAll("textFields") String path) {
        String text = HostileMessages.MARKER + generated;
        ObjectNode copy = validDonation.deepCopy();
        String[] parts = path.split("\\.");
        ObjectNode parent = parts.length == 1 ? copy : (ObjectNode) copy.get(parts[0]);
        parent.put(parts[parts.length - 1], text);
        byte[] bytes;
        try {
            bytes = ESCAPING.writeValueAsBytes(copy);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        String outcome = outcome(bytes);
        if (AvroJson.textProblem(text) != null) assertEquals("schema_violation", outcome, path);
    }

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.strings().all().ofMaxLength(40);
    }

    @Provide
    Arbitrary<String> textFields() {
        return Arbitraries.of("clip_id", "donor_id", "campaign", "clip_uri", "sha256", "capture.camera_id",
                "capture.captured_at", "consent.scope", "consent.version", "consent.granted_at");
    }

    /**
     * Through the operators themselves, in Flink's test harness: one output per message, a clip (main output) or
     * a row (side output), and the clips through the landing resolver the same way.
     */
    @Example
    void throughTheIntakeOperatorsEachMessageGivesExactlyOneOutput() throws Exception {
        int n = 2000;
        TreeMap<String, Integer> reasons = new TreeMap<>();
        List<ClipTask> clips;
        try (OneInputStreamOperatorTestHarness<DonationMessage, ClipTask> parse =
                     ProcessFunctionTestHarnesses.forProcessFunction(new ParseDonation(new DonorPseudonymizer(KEY), "b1"))) {
            HostileMessages generator = generator(42);
            for (int i = 0; i < n; i++) parse.processElement(new DonationMessage("t", 0, i, 0, generator.donation().bytes()), i);
            clips = parse.extractOutputValues();
            var rows = parse.getSideOutput(Decisions.TAG);
            assertEquals(n, clips.size() + (rows == null ? 0 : rows.size()));
            if (rows != null) rows.forEach(r -> reasons.merge(r.getValue().getReason(), 1, Integer::sum));
        }
        try (OneInputStreamOperatorTestHarness<ClipTask, ClipTask> resolve = ProcessFunctionTestHarnesses.forProcessFunction(
                (ProcessFunction<ClipTask, ClipTask>) new ResolveLandingFile(new LandingArea(landing.toString()), 1 << 20, "b1"))) {
            for (ClipTask c : clips) resolve.processElement(c, 0);
            var rows = resolve.getSideOutput(Decisions.TAG);
            int rejected = rows == null ? 0 : rows.size();
            assertEquals(clips.size(), resolve.extractOutputValues().size() + rejected);
            if (rows != null) rows.forEach(r -> reasons.merge(r.getValue().getReason(), 1, Integer::sum));
        }
        assertFalse(reasons.containsKey("processing_error"), reasons.toString());
        System.out.println("2000 generated donations through the intake operators: " + reasons);
    }

    private static HostileMessages generator(long seed) {
        return new HostileMessages(new Random(seed), validDonation, validConsent, landing.toUri().toString());
    }

    private static DonationMessage message(byte[] bytes) {
        return new DonationMessage("clips.donated", 0, 1, 0, bytes);
    }

    /**
     * Parses and resolves a message as the job does, without its safety net: an exception other than a rejection
     * fails the test. Returns the reason code, or "clip" when it passed both. Every row must render as the
     * rejections topic's JSON, and no detail may echo the payload.
     */
    private static String outcome(byte[] bytes) {
        DonationMessage message = message(bytes);
        ClipTask task;
        try {
            task = parser.parse(message);
        } catch (ClipRejected e) {
            assertTrue(PARSE_REASONS.contains(e.reason().code()), e.reason().code());
            checkRow(Decisions.unparsed(message, e, DonationParser.bestEffortClipId(message), "b1"));
            return e.reason().code();
        }
        try {
            resolver.check(task);
            return "clip";
        } catch (ClipRejected e) {
            assertTrue(RESOLVE_REASONS.contains(e.reason().code()), e.reason().code() + ": " + e.getMessage());
            checkRow(Decisions.rejected(task, e, "b1"));
            return e.reason().code();
        }
    }

    private static void checkRow(ClipRow row) {
        assertFalse(row.getReasonDetail().contains(HostileMessages.MARKER), "the detail echoes the payload: " + row.getReasonDetail());
        assertFalse(row.getReasonDetail().contains(DonationPublisher.DEFAULT_DONOR), row.getReasonDetail());
        new RejectionRecords("clips.rejected").serialize(row, null, null);
    }
}
