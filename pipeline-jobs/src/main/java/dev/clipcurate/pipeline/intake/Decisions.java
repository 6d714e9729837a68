package dev.clipcurate.pipeline.intake;

import dev.clipcurate.schemas.ClipRow;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

import java.time.Instant;

/** The clip-manifest rows every stage emits: one per consumed message, whatever became of it. */
public final class Decisions {
    public static final String ACCEPTED = "accepted";
    public static final String DUPLICATE = "duplicate";
    public static final String REJECTED = "rejected";
    public static final String QUARANTINED = "quarantined";

    /** Side output on which operators emit rows for clips that stop at them. */
    public static final OutputTag<ClipRow> TAG = new OutputTag<>("clip-decisions", TypeInformation.of(ClipRow.class));

    private Decisions() {}

    /**
     * Whether the row is for a message rejected before it counted as a donation (malformed or invalid). Its
     * clip id, if it had one, is not taken: the producer may send a corrected message with the same id.
     */
    public static boolean rejectedAtParsing(ClipRow row) {
        return RejectReason.MALFORMED_JSON.code().equals(row.getReason())
                || RejectReason.SCHEMA_VIOLATION.code().equals(row.getReason());
    }

    /** A row for a message that could not be parsed into a donation; clipId when the message had a usable one. */
    public static ClipRow unparsed(DonationMessage message, ClipRejected why, String clipId, String buildId) {
        return ClipRow.newBuilder()
                .setClipId(clipId)
                .setDecision(REJECTED)
                .setReason(why.reason().code())
                .setReasonDetail(why.getMessage())
                .setSourceTopic(message.topic)
                .setSourcePartition(message.partition)
                .setSourceOffset(message.offset)
                .setDonatedAt(donatedAt(message.timestampMs))
                .setBuildId(buildId)
                .setProcessedAt(Instant.now().toString())
                .build();
    }

    private static String donatedAt(long timestampMs) {
        return timestampMs < 0 ? null : Instant.ofEpochMilli(timestampMs).toString();
    }

    public static ClipRow rejected(ClipTask task, ClipRejected why, String buildId) {
        ClipRow row = forTask(task, buildId);
        row.setDecision(REJECTED);
        row.setReason(why.reason().code());
        row.setReasonDetail(why.getMessage());
        return row;
    }

    /** A row carrying everything the donation told us, and what decoding found if the clip was decoded; the caller sets the decision. */
    public static ClipRow forTask(ClipTask task, String buildId) {
        return ClipRow.newBuilder()
                .setClipId(task.clipId)
                .setDecision(ACCEPTED)
                .setSourceTopic(task.sourceTopic)
                .setSourcePartition(task.sourcePartition)
                .setSourceOffset(task.sourceOffset)
                .setDonatedAt(donatedAt(task.donatedAtMs))
                .setSourceUri(task.clipUri)
                .setSha256(task.sha256)
                .setSizeBytes(task.sizeBytes)
                .setCampaign(task.campaign)
                .setDonorPseudonym(task.donorPseudonym)
                .setCameraId(task.cameraId)
                .setCapturedAt(task.capturedAt)
                .setConsentScope(task.consentScope)
                .setConsentVersion(task.consentVersion)
                .setConsentGrantedAt(task.consentGrantedAt)
                .setConsentEvent(task.consentEvent)
                .setConsentCheckedAt(task.consentCheckedAt)
                .setDeclaredStaged(task.declaredStaged)
                .setContainer(task.container)
                .setVideoCodec(task.videoCodec)
                .setDurationS(task.durationS)
                .setFps(task.fps)
                .setWidth(task.width)
                .setHeight(task.height)
                .setClipScore(task.clipScore)
                .setScoreModel(task.scoreModel)
                .setScoreModelSha256(task.scoreModelSha256)
                .setStagedLabel(task.stagedLabel)
                .setStagedConfidence(task.stagedConfidence)
                .setStagedEvidence(task.stagedEvidence == null ? null : java.util.List.of(task.stagedEvidence))
                .setBuildId(buildId)
                .setProcessedAt(Instant.now().toString())
                .build();
    }
}
