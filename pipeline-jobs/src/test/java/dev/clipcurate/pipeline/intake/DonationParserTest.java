package dev.clipcurate.pipeline.intake;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipcurate.pipeline.common.AvroJson;
import dev.clipcurate.pipeline.privacy.DonorPseudonymizer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DonationParserTest {
    static final String DONOR = "alice@example.org";
    private final DonationParser parser = new DonationParser(new DonorPseudonymizer("k".repeat(32).getBytes(StandardCharsets.UTF_8)));

    static ObjectNode valid() {
        ObjectNode m = AvroJson.MAPPER.createObjectNode();
        m.put("clip_id", "clip-1");
        m.put("donor_id", DONOR);
        m.put("campaign", "package-theft");
        m.put("clip_uri", "2026/11/clip-1.mp4");
        m.put("sha256", "a".repeat(64));
        m.put("size_bytes", 1234);
        m.putObject("capture").put("camera_id", "porch").put("captured_at", "2026-11-20T18:04:05Z");
        m.putObject("consent").put("scope", "training").put("version", "v3").put("granted_at", "2026-11-01T00:00:00Z");
        return m;
    }

    private ClipTask parse(Object json) throws ClipRejected {
        byte[] bytes = json instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : AvroJson.MAPPER.valueToTree(json).toString().getBytes(StandardCharsets.UTF_8);
        return parser.parse(new DonationMessage("t", 0, 42, 0, bytes));
    }

    private ClipRejected reject(Object json) {
        return assertThrows(ClipRejected.class, () -> parse(json));
    }

    @Test
    void parsesAValidDonationAndDropsTheRawDonorId() throws Exception {
        ClipTask t = parse(valid());
        assertEquals("clip-1", t.clipId);
        assertEquals("porch", t.cameraId);
        assertNull(t.declaredStaged, "optional, absent");
        assertTrue(t.donorPseudonym.startsWith("d_") && t.donorPseudonym.length() == 34);
        assertFalse(t.donorPseudonym.contains("alice"));
        assertEquals(42, t.sourceOffset);
        ObjectNode staged = valid();
        staged.put("declared_staged", true);
        assertEquals(Boolean.TRUE, parse(staged).declaredStaged);
    }

    @Test
    void aMisspeltFieldIsPointedOutByTheSchemasNameNeverQuoted() {
        ObjectNode m = valid();
        m.set("clipUri", m.remove("clip_uri"));
        m.put("alice_smith", 1);
        ClipRejected e = reject(m);
        assertEquals(RejectReason.SCHEMA_VIOLATION, e.reason());
        assertTrue(e.getMessage().contains("2 unknown field(s)"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean 'clip_uri'?"), e.getMessage());
        assertFalse(e.getMessage().contains("clipUri") || e.getMessage().contains("alice"), e.getMessage());
    }

    @Test
    void instantsOutsideTheCountableRangeAreRefused() {
        for (String at : new String[] {"+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z", "1899-12-31T23:59:59Z"}) {
            ObjectNode m = valid();
            ((ObjectNode) m.get("capture")).put("captured_at", at);
            ClipRejected e = reject(m);
            assertEquals(RejectReason.SCHEMA_VIOLATION, e.reason(), at);
            assertTrue(e.getMessage().contains("between 1900 and 2199"), e.getMessage());
        }
    }

    @Test
    void malformedJsonIsRejectedWithoutEchoingThePayload() {
        ClipRejected e = reject("{\"donor_id\": \"" + DONOR + "\", \"clip_id\": ");
        assertEquals(RejectReason.MALFORMED_JSON, e.reason());
        assertFalse(e.getMessage().contains("alice"), e.getMessage());
        assertEquals(RejectReason.MALFORMED_JSON, reject("").reason());
        assertEquals(RejectReason.MALFORMED_JSON, reject("\u0000\u00ff binary").reason());
    }

    @Test
    void schemaViolationsNameTheFieldNotTheValue() {
        ObjectNode missing = valid();
        missing.remove("sha256");
        ClipRejected e = reject(missing);
        assertEquals(RejectReason.SCHEMA_VIOLATION, e.reason());
        assertTrue(e.getMessage().contains("sha256"), e.getMessage());

        ObjectNode wrongType = valid();
        wrongType.put("size_bytes", "big");
        assertEquals(RejectReason.SCHEMA_VIOLATION, reject(wrongType).reason());

        ObjectNode nested = valid();
        ((ObjectNode) nested.get("capture")).remove("camera_id");
        assertTrue(reject(nested).getMessage().contains("capture.camera_id"));

        ObjectNode unknown = valid();
        unknown.put("donor_email", DONOR);
        ClipRejected u = reject(unknown);
        // a field's name may be data too: counted, never quoted
        assertTrue(u.getMessage().contains("1 unknown field(s)") && !u.getMessage().contains("donor_email")
                && !u.getMessage().contains("alice"), u.getMessage());

        ObjectNode badDonor = valid();
        badDonor.put("donor_id", 12345);
        ClipRejected d = reject(badDonor);
        assertFalse(d.getMessage().contains("12345"), d.getMessage());

        assertEquals(RejectReason.SCHEMA_VIOLATION, reject("[1,2,3]").reason());
    }

    @Test
    void valueRulesAreChecked() {
        ObjectNode sha = valid();
        sha.put("sha256", "not-a-hash");
        assertTrue(reject(sha).getMessage().contains("sha256"));
        ObjectNode time = valid();
        ((ObjectNode) time.get("capture")).put("captured_at", "yesterday");
        assertTrue(reject(time).getMessage().contains("captured_at"));
        ObjectNode blank = valid();
        blank.put("clip_id", " ");
        assertEquals(RejectReason.SCHEMA_VIOLATION, reject(blank).reason());
        ObjectNode negative = valid();
        negative.put("size_bytes", -1);
        assertEquals(RejectReason.SCHEMA_VIOLATION, reject(negative).reason());
    }
}
