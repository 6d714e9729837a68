package dev.clipcurate.pipeline.dedup;

import dev.clipcurate.pipeline.intake.ClipTask;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Comparator;

/**
 * Which of two duplicates is kept: clips of earlier versions first (epoch 0), then by epoch (one value for all
 * clips of a batch build; the arrival stamp in a streaming run), then the one captured first, then the one
 * whose {@link ClipKey} is smaller (unsigned; the index holds keys, not ids), then the smaller clip id; clips without a
 * readable capture time come after those with one. In a batch build the result is
 * independent of arrival order and parallelism.
 */
public final class DedupOrder {
    /** The epoch of every clip of a batch build; 0 is reserved for clips of earlier versions. */
    public static final long BATCH_EPOCH = 1;
    private DedupOrder() {}

    /** Capture time of a clip without a readable one: after all others. */
    public static final long UNKNOWN_CAPTURE = Long.MAX_VALUE;

    public static final Comparator<ClipTask> TASKS = Comparator
            .comparingLong((ClipTask t) -> captureMillis(t.capturedAt))
            .thenComparing(t -> t.clipId);

    /** Whether clip a comes before clip b. */
    public static boolean before(long epochA, long captureA, long clipKeyA, long epochB, long captureB, long clipKeyB) {
        if (epochA != epochB) return epochA < epochB;
        if (captureA != captureB) return captureA < captureB;
        return Long.compareUnsigned(clipKeyA, clipKeyB) < 0;
    }

    public static final Comparator<ClipFingerprint> FINGERPRINTS = Comparator
            .comparingLong((ClipFingerprint f) -> f.epoch)
            .thenComparingLong(f -> captureMillis(f.capturedAt))
            .thenComparing(f -> ClipKey.of(f.clipId), Long::compareUnsigned)
            .thenComparing(f -> f.clipId);

    /** Milliseconds since the epoch of an ISO-8601 capture time, or {@link #UNKNOWN_CAPTURE}. */
    public static long captureMillis(String iso) {
        if (iso == null) return UNKNOWN_CAPTURE;
        Instant at;
        try {
            at = OffsetDateTime.parse(iso).toInstant();
        } catch (DateTimeParseException e) {
            try {
                at = Instant.parse(iso);
            } catch (DateTimeParseException again) {
                return UNKNOWN_CAPTURE;
            }
        }
        return at.toEpochMilli();
    }
}
