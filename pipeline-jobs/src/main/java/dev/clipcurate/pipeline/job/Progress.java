package dev.clipcurate.pipeline.job;

import dev.clipcurate.pipeline.shards.DatasetLayout;
import dev.clipcurate.pipeline.shards.VersionSealer;

import org.apache.flink.core.execution.JobClient;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Names of the job's progress accumulators, and a printer that shows them while a job runs. */
public final class Progress {
    public static final String MESSAGES = "messages_consumed";
    public static final String CLIPS_SCORED = "clips_scored";
    /** Frames the decoding pass sampled and scored, at the job's sampling. */
    public static final String FRAMES_SCORED = "frames_scored";
    public static final String CLIPS_ANONYMISED = "clips_anonymised";
    public static final String FRAMES_WRITTEN = "frames_written";
    /** Frames the decoding pass ran through the privacy stage (duplicates', not written, included). */
    public static final String FRAMES_ANONYMISED = "frames_anonymised";
    /**
     * Accumulators of the time spent per stage, in nanoseconds summed over all subtasks (busy time, not wall time):
     * the benchmark's per-stage cost table. Names: this prefix + the stage.
     */
    public static final String STAGE_NANOS = "stage_ns.";
    public static final String STAGE_DECODE = "decode (once per clip)";
    public static final String STAGE_FINGERPRINT = "fingerprint (hashes + motion grid)";
    /** MoveNet's runs: the people that score a frame, label it and give the privacy stage its heads. */
    public static final String STAGE_PEOPLE = "people (MoveNet, 2 runs)";
    public static final String STAGE_SCORE = "score (rules + motion)";
    public static final String STAGE_PRIVACY_FACES = "privacy: faces";
    public static final String STAGE_PRIVACY_MASK = "privacy: mask + JPEG";
    public static final String STAGE_PRIVACY_VERIFY = "privacy: verify";
    /** The stages timed, in the order data flows through them. */
    public static final java.util.List<String> TIMED_STAGES = java.util.List.of(STAGE_DECODE, STAGE_FINGERPRINT,
            STAGE_PEOPLE, STAGE_SCORE, STAGE_PRIVACY_FACES, STAGE_PRIVACY_MASK, STAGE_PRIVACY_VERIFY);
    /** The stages that work on every sampled frame; the others only on the frames of clips worth anonymising. */
    public static final java.util.Set<String> EVERY_FRAME_STAGES = java.util.Set.of(STAGE_DECODE, STAGE_FINGERPRINT,
            STAGE_PEOPLE, STAGE_SCORE);

    /** The accumulator a stage adds its busy time to, in nanoseconds. */
    public static org.apache.flink.api.common.accumulators.LongCounter stageTime(
            org.apache.flink.api.common.functions.RuntimeContext context, String stage) {
        return context.getLongCounter(STAGE_NANOS + stage);
    }

    private Progress() {}

    private static String printNewVersion(VersionSealer versions, String buildId, String lastSeen, PrintStream out) {
        try {
            var newest = versions.newestOf(buildId);
            if (newest == null || newest.get("name").asText().equals(lastSeen)) return lastSeen;
            var c = newest.get("counts");
            var latency = c.path("latency_s");
            out.printf("  sealed %s: %d messages, %d accepted, %d frames%s%n", newest.get("name").asText(),
                    c.get("messages_consumed").asLong(), c.get("clips_accepted").asLong(), c.get("frames_written").asLong(),
                    latency.isObject() ? String.format(", donation to sealed %.1f s (median)", latency.get("median").asDouble()) : "");
            return newest.get("name").asText();
        } catch (Exception e) {
            return lastSeen; // progress only: a version being written is read at the next tick
        }
    }

    /**
     * Prints one line every {@code every} until the job ends, and a line for each version the job seals meanwhile;
     * returns when it has ended.
     */
    public static void follow(JobClient client, long expectedMessages, Duration every, PrintStream out,
                              DatasetLayout layout, String buildId) throws Exception {
        Instant start = Instant.now();
        VersionSealer versions = new VersionSealer(layout);
        String lastSeen = null;
        var result = client.getJobExecutionResult();
        while (true) {
            try {
                result.get(every.toMillis(), TimeUnit.MILLISECONDS);
                return;
            } catch (java.util.concurrent.TimeoutException stillRunning) {
                Map<String, Object> acc;
                try {
                    acc = client.getAccumulators().get(5, TimeUnit.SECONDS);
                } catch (Exception e) {
                    acc = Map.of();
                }
                long seconds = Duration.between(start, Instant.now()).toSeconds();
                out.printf("  … %ds: %s/%s messages, %s clips decoded and scored, %s anonymised, %s frames written%n",
                        seconds, acc.getOrDefault(MESSAGES, 0), expectedMessages < 0 ? "?" : expectedMessages,
                        acc.getOrDefault(CLIPS_SCORED, 0), acc.getOrDefault(CLIPS_ANONYMISED, 0), acc.getOrDefault(FRAMES_WRITTEN, 0));
                lastSeen = printNewVersion(versions, buildId, lastSeen, out);
            }
        }
    }
}
