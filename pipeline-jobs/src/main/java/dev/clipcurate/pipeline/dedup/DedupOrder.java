package dev.clipcurate.pipeline.dedup;

import dev.clipcurate.pipeline.intake.ClipTask;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Comparator;

/**
 * Which of two duplicates is kept in a batch build: the one captured first, then the smaller clip id; clips
 * without a readable capture time come after those with one. Independent of arrival order and parallelism.
 */
public final class DedupOrder {
    private DedupOrder() {}

    public static final Comparator<ClipTask> TASKS = Comparator
            .comparing((ClipTask t) -> capturedAt(t.capturedAt), Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(t -> t.clipId);

    static Instant capturedAt(String iso) {
        if (iso == null) return null;
        try {
            return OffsetDateTime.parse(iso).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(iso);
            } catch (DateTimeParseException again) {
                return null;
            }
        }
    }
}
