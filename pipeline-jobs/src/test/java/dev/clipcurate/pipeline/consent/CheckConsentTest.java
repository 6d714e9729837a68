package dev.clipcurate.pipeline.consent;

import dev.clipcurate.pipeline.intake.ClipTask;
import dev.clipcurate.pipeline.intake.DonationMessage;
import dev.clipcurate.pipeline.intake.Decisions;
import dev.clipcurate.pipeline.privacy.DonorPseudonymizer;
import dev.clipcurate.pipeline.testing.TestTasks;
import dev.clipcurate.schemas.ClipRow;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckConsentTest {
    private static final long T0 = Instant.parse("2026-11-20T12:00:00Z").toEpochMilli();
    private static final long HOUR = 3_600_000L;
    private static int offset;

    private static ConsentUpdate event(String donor, String action, String scope, long at) {
        ConsentUpdate u = new ConsentUpdate();
        u.donorPseudonym = donor;
        u.action = action;
        u.scope = scope;
        u.consentVersion = "terms-1";
        u.atMillis = at;
        u.topic = "donors.consent";
        u.offset = offset++;
        return u;
    }

    private static ClipTask clip(String id, String donor) {
        ClipTask t = TestTasks.task(id, "package-theft");
        t.donorPseudonym = donor;
        return t;
    }

    private static KeyedBroadcastOperatorTestHarness<String, ClipTask, ConsentUpdate, ClipTask> harness(long asOf, long wait)
            throws Exception {
        return harness(asOf, wait, java.util.Map.of());
    }

    private static KeyedBroadcastOperatorTestHarness<String, ClipTask, ConsentUpdate, ClipTask> harness(
            long asOf, long wait, java.util.Map<Integer, Long> catchUpTo) throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                new CheckConsent("training", asOf, wait, catchUpTo, "b1"), t -> t.donorPseudonym, Types.STRING,
                CheckConsent.HISTORIES, CheckConsent.READ_UP_TO);
    }

    private static List<ClipRow> rejected(KeyedBroadcastOperatorTestHarness<?, ?, ?, ?> h) {
        var side = h.getSideOutput(Decisions.TAG);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    @Test
    void aBatchBuildJudgesEveryClipAsOfItsStart() throws Exception {
        try (var h = harness(T0, 0)) {
            h.processBroadcastElement(event("granted", "grant", "training", T0 - 2 * HOUR), 0);
            h.processBroadcastElement(event("revoked", "grant", "training", T0 - 2 * HOUR), 0);
            h.processBroadcastElement(event("revoked", "revoke", "training", T0 - HOUR), 0);
            // granted after the build started: not valid for this build
            h.processBroadcastElement(event("late", "grant", "training", T0 + HOUR), 0);
            // a grant for another use does not cover training; one for all scopes does
            h.processBroadcastElement(event("other-scope", "grant", "research", T0 - HOUR), 0);
            h.processBroadcastElement(event("all-scopes", "grant", "all", T0 - HOUR), 0);
            // revoked, then granted again
            h.processBroadcastElement(event("regranted", "revoke", "training", T0 - 2 * HOUR), 0);
            h.processBroadcastElement(event("regranted", "grant", "training", T0 - HOUR), 0);
            for (String donor : List.of("granted", "revoked", "late", "other-scope", "all-scopes", "regranted", "unknown")) {
                h.processElement(clip("clip-" + donor, donor), 0);
            }
            List<String> passed = h.extractOutputValues().stream().map(t -> t.clipId).toList();
            assertEquals(List.of("clip-granted", "clip-all-scopes", "clip-regranted"), passed);
            ClipTask first = h.extractOutputValues().get(0);
            assertEquals(Instant.ofEpochMilli(T0 - 2 * HOUR).toString(), first.consentGrantedAt);
            assertEquals(Instant.ofEpochMilli(T0).toString(), first.consentCheckedAt);
            assertTrue(first.consentEvent.startsWith("donors.consent/0@"), first.consentEvent);

            List<ClipRow> rows = rejected(h);
            assertEquals(4, rows.size());
            rows.forEach(r -> assertEquals("no_consent", r.getReason()));
            ClipRow revoked = rows.stream().filter(r -> r.getClipId().equals("clip-revoked")).findFirst().orElseThrow();
            assertTrue(revoked.getReasonDetail().contains("revoked at " + Instant.ofEpochMilli(T0 - HOUR)), revoked.getReasonDetail());
            ClipRow unknown = rows.stream().filter(r -> r.getClipId().equals("clip-unknown")).findFirst().orElseThrow();
            assertTrue(unknown.getReasonDetail().startsWith("no grant of consent for training"), unknown.getReasonDetail());
        }
    }

    @Test
    void aStreamingClipWaitsForItsDonorsGrantThenGoesOn() throws Exception {
        try (var h = harness(-1, 30_000)) {
            h.setProcessingTime(T0);
            h.processElement(clip("early", "d1"), 0);
            h.processElement(clip("never", "d2"), 0);
            assertEquals(0, h.extractOutputValues().size(), "both wait for the consent topic");
            h.processBroadcastElement(event("d1", "grant", "training", T0 - HOUR), 0);
            assertEquals(List.of("early"), h.extractOutputValues().stream().map(t -> t.clipId).toList(),
                    "the grant releases the donor's waiting clip at once");
            assertEquals(0, rejected(h).size());
            h.setProcessingTime(T0 + 30_000);
            assertEquals(List.of("early"), h.extractOutputValues().stream().map(t -> t.clipId).toList(), "and only once");
            assertEquals(List.of("never"), rejected(h).stream().map(ClipRow::getClipId).toList());
            assertTrue(rejected(h).get(0).getReasonDetail().contains("waited 30 s"), rejected(h).get(0).getReasonDetail());
            // with the grant in state, a later clip goes on at once
            h.processElement(clip("later", "d1"), 0);
            assertEquals(2, h.extractOutputValues().size());
        }
    }

    @Test
    void aStreamingRunJudgesNothingBeforeItHasReadTheConsentTopicUpToWhereItEndedAtTheStart() throws Exception {
        offset = 0;
        // the topic held a grant then a revocation of d1 when the run started (offsets 0 and 1, end offset 2)
        try (var h = harness(-1, 30_000, java.util.Map.of(0, 2L))) {
            h.setProcessingTime(T0);
            h.processBroadcastElement(event("d1", "grant", "training", T0 - 2 * HOUR), 0);
            h.processElement(clip("c1", "d1"), 0);
            assertEquals(0, h.extractOutputValues().size(), "the grant alone is not the donor's whole history");
            h.setProcessingTime(T0 + 30_000);
            h.setProcessingTime(T0 + 60_000);
            assertEquals(0, h.extractOutputValues().size() + rejected(h).size(), "still replaying: nobody is judged");
            h.processBroadcastElement(event("d1", "revoke", "training", T0 - HOUR), 0);
            assertEquals(0, h.extractOutputValues().size(), "revoked: the clip never goes on");
            h.setProcessingTime(T0 + 120_000);
            assertEquals(List.of("c1"), rejected(h).stream().map(ClipRow::getClipId).toList());
            assertTrue(rejected(h).get(0).getReasonDetail().contains("revoked"), rejected(h).get(0).getReasonDetail());
        }
    }

    @Test
    void whenBothInputsEndEveryWaitingClipIsJudged() throws Exception {
        try (var h = harness(-1, 3_600_000)) {
            h.setProcessingTime(T0);
            h.processElement(clip("a", "d1"), 0);
            h.processElement(clip("b", "d2"), 0);
            h.processBroadcastElement(event("d1", "grant", "training", T0 - HOUR), 0);
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            h.processBroadcastWatermark(new Watermark(Long.MAX_VALUE));
            assertEquals(List.of("a"), h.extractOutputValues().stream().map(t -> t.clipId).toList());
            assertEquals(List.of("b"), rejected(h).stream().map(ClipRow::getClipId).toList());
        }
    }

    @Test
    void historiesKeepTheGivenOrderAndIgnoreRedeliveredEvents() {
        ConsentHistory h = new ConsentHistory();
        ConsentUpdate revoke = event("d", "revoke", "training", T0);
        h = h.with(event("d", "grant", "training", T0 - HOUR)).with(revoke).with(revoke);
        assertEquals(2, h.events.length);
        assertNull(h.grantAt("training", T0));
        assertEquals("grant", h.grantAt("training", T0 - 1).action);
        assertNull(h.grantAt("training", T0 - 2 * HOUR), "nothing before the first grant");
    }

    @Test
    void consentMessagesAreCheckedAndPseudonymisedAtOnce() {
        DonorPseudonymizer p = new DonorPseudonymizer("0123456789abcdef0123".getBytes(StandardCharsets.UTF_8));
        ConsentUpdate u = ConsentParseHelper.parse(p, "{\"donor_id\":\"donor-7\",\"action\":\"grant\",\"scope\":\"training\","
                + "\"consent_version\":\"t1\",\"at\":\"2026-11-20T10:00:00Z\",\"recorded_by\":\"app\"}");
        assertEquals(p.pseudonymize("donor-7"), u.donorPseudonym);
        assertTrue(!u.donorPseudonym.contains("donor-7"));
        assertEquals(Instant.parse("2026-11-20T10:00:00Z").toEpochMilli(), u.atMillis);
        for (String bad : List.of("not json", "{}", "{\"donor_id\":\"d\",\"action\":\"pause\",\"scope\":\"training\",\"at\":\"2026-11-20T10:00:00Z\"}",
                "{\"donor_id\":\"d\",\"action\":\"grant\",\"scope\":\"training\",\"at\":\"yesterday\"}")) {
            var e = assertThrows(IllegalArgumentException.class, () -> ConsentParseHelper.parse(p, bad), bad);
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
        }
    }

    private static final class ConsentParseHelper {
        static ConsentUpdate parse(DonorPseudonymizer p, String json) {
            return ParseConsentEvent.parse(new DonationMessage("donors.consent", 0, 1, 0,
                    json.getBytes(StandardCharsets.UTF_8)), p);
        }
    }
}
