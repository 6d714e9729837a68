package dev.clipcurate.pipeline.intake;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clipcurate.pipeline.common.AvroJson;
import dev.clipcurate.pipeline.privacy.DonorPseudonymizer;
import dev.clipcurate.schemas.Donation;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/** Turns message bytes into a {@link ClipTask}, checking them against schemas/donation.avsc and value rules. */
public final class DonationParser {
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    private static final int MAX_ID_LENGTH = 256;
    private static final Instant EARLIEST = Instant.parse("1900-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("2200-01-01T00:00:00Z");
    /** A consented subject's span, in clip time: clips are minutes long, never years. */
    private static final long MAX_SPAN_MS = 7L * 24 * 3600 * 1000;

    private final DonorPseudonymizer pseudonymizer;

    public DonationParser(DonorPseudonymizer pseudonymizer) {
        this.pseudonymizer = pseudonymizer;
    }

    public ClipTask parse(DonationMessage message) throws ClipRejected {
        JsonNode json;
        try {
            json = AvroJson.readUntrusted(message.value);
        } catch (AvroJson.MalformedJson e) {
            throw new ClipRejected(RejectReason.MALFORMED_JSON, e.getMessage());
        }
        Donation donation;
        try {
            donation = AvroJson.toRecord(json, Donation.class);
        } catch (AvroJson.SchemaViolation e) {
            throw new ClipRejected(RejectReason.SCHEMA_VIOLATION, e.getMessage());
        }
        checkValues(donation);

        ClipTask task = new ClipTask();
        task.clipId = donation.getClipId();
        task.donorPseudonym = pseudonymizer.pseudonymize(donation.getDonorId());
        task.campaign = donation.getCampaign();
        task.clipUri = donation.getClipUri();
        task.sha256 = donation.getSha256();
        task.sizeBytes = donation.getSizeBytes();
        task.cameraId = donation.getCapture().getCameraId();
        task.capturedAt = donation.getCapture().getCapturedAt();
        task.consentScope = donation.getConsent().getScope();
        task.consentVersion = donation.getConsent().getVersion();
        task.consentGrantedAt = donation.getConsent().getGrantedAt();
        task.declaredStaged = donation.getDeclaredStaged();
        if (donation.getConsentedSubjects() != null && !donation.getConsentedSubjects().isEmpty()) {
            var subjects = AvroJson.MAPPER.createArrayNode();
            donation.getConsentedSubjects().forEach(c -> subjects.add(AvroJson.toJson(c)));
            task.consentedSubjectsJson = subjects.toString();
        }
        task.sourceTopic = message.topic;
        task.sourcePartition = message.partition;
        task.sourceOffset = message.offset;
        task.donatedAtMs = message.timestampMs;
        return task;
    }

    /** The clip id of a message that failed validation, when it has a usable one, so its row can name it. */
    public static String bestEffortClipId(DonationMessage message) {
        try {
            JsonNode id = AvroJson.readUntrusted(message.value).get("clip_id");
            if (id == null || !id.isTextual()) return null;
            String s = id.textValue();
            boolean usable = !s.isBlank() && s.length() <= MAX_ID_LENGTH && AvroJson.textProblem(s) == null;
            return usable ? s : null;
        } catch (Exception e) {
            return null;
        }
    }

    private static void checkValues(Donation d) throws ClipRejected {
        requireId("clip_id", d.getClipId());
        requireId("donor_id", d.getDonorId());
        requireId("campaign", d.getCampaign());
        requireId("capture.camera_id", d.getCapture().getCameraId());
        if (d.getClipUri().isBlank()) schema("field 'clip_uri' is empty");
        if (!SHA256_HEX.matcher(d.getSha256()).matches()) schema("field 'sha256' must be 64 lowercase hex digits");
        if (d.getSizeBytes() < 0) schema("field 'size_bytes' must not be negative");
        requireInstant("capture.captured_at", d.getCapture().getCapturedAt());
        requireInstant("consent.granted_at", d.getConsent().getGrantedAt());
        if (d.getConsent().getScope().isBlank()) schema("field 'consent.scope' is empty");
        if (d.getConsent().getVersion().isBlank()) schema("field 'consent.version' is empty");
        if (d.getConsentedSubjects() != null) {
            for (var c : d.getConsentedSubjects()) {
                var r = c.getRegion();
                boolean inFrame = r.getX() >= 0 && r.getY() >= 0 && r.getW() > 0 && r.getH() > 0
                        && r.getX() + r.getW() <= 1.0001 && r.getY() + r.getH() <= 1.0001;
                if (!inFrame) schema("field 'consented_subjects.region' must lie within 0..1 of the frame");
                if (c.getFromMs() < 0 || c.getToMs() < c.getFromMs() || c.getToMs() > MAX_SPAN_MS) schema("field 'consented_subjects' has a bad time span");
                if (c.getSubject().isBlank()) schema("field 'consented_subjects.subject' is empty");
            }
        }
    }

    private static void requireId(String field, String value) throws ClipRejected {
        if (value.isBlank()) schema("field '" + field + "' is empty");
        if (value.length() > MAX_ID_LENGTH) schema("field '" + field + "' is longer than " + MAX_ID_LENGTH);
        if (value.chars().anyMatch(Character::isISOControl)) schema("field '" + field + "' contains control characters");
    }

    private static void requireInstant(String field, String value) throws ClipRejected {
        String problem = instantProblem(value);
        if (problem != null) schema("field '" + field + "' " + problem);
    }

    /**
     * What is wrong with an instant of a message, or null: ISO-8601, and within 1900..2199, because later stages
     * count in epoch milliseconds, which Instant's full range (a billion years) overflows.
     */
    public static String instantProblem(String value) {
        Instant at;
        try {
            at = Instant.parse(value);
        } catch (DateTimeParseException e) {
            return "must be an ISO-8601 instant such as 2026-11-20T18:04:05Z";
        }
        return at.isBefore(EARLIEST) || !at.isBefore(LATEST) ? "must lie between 1900 and 2199" : null;
    }

    private static void schema(String detail) throws ClipRejected {
        throw new ClipRejected(RejectReason.SCHEMA_VIOLATION, detail);
    }
}
