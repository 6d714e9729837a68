package dev.clipcurate.pipeline.staging;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A constructed, labelled set of donations for evaluating the labeller: donors over 30 days with real incidents
 * and staged sessions, drawn from stated assumptions (the constants below), not from the labeller's rules. What
 * it measures is how the rules separate clips that behave as assumed here; real programmes must re-measure on
 * audited clips.
 */
public final class StagingEvalSet {
    /** One donated clip with its truth. */
    public record LabelledClip(ClipFacts facts, boolean staged) {}

    // Assumptions about real incidents
    static final double REAL_DECLARED_REAL = 0.5;      // donors who say "real" (the rest say nothing...)
    static final double REAL_DECLARED_STAGED = 0.02;   // ...or tick the wrong box
    static final double REAL_TRIGGERED = 0.8;          // recorded by motion trigger: the first frame is empty
    static final double REAL_AT_USUAL_HOUR = 0.7;      // happen when the camera's scene is busy anyway
    static final double REAL_SECOND_CAMERA = 0.25;     // a second camera of the donor catches it too
    // Assumptions about staged sessions
    static final double STAGING_DONORS = 0.4;
    static final double STAGED_DECLARED_STAGED = 0.6;
    static final double STAGED_DECLARED_REAL = 0.05;   // donors hoping for the real-incident price
    static final double STAGED_STARTED_BY_HAND = 0.6;  // actors already in view in the first frame
    static final double STAGED_SECOND_CAMERA = 0.5;
    static final int MAX_TAKES = 4;                    // takes per session: 1..4 within 20 minutes

    private StagingEvalSet() {}

    /** Clips by truth (0 real, 1 staged) and label (0 real, 1 staged, 2 uncertain). */
    public record Confusion(int[][] counts) {
        public double precision(int label) {
            int labelled = counts[0][label] + counts[1][label];
            return labelled == 0 ? Double.NaN : counts[label][label] / (double) labelled;
        }

        public double recall(int truth) {
            return counts[truth][truth] / (double) total(truth);
        }

        public double uncertain(int truth) {
            return counts[truth][2] / (double) total(truth);
        }

        private int total(int truth) {
            return counts[truth][0] + counts[truth][1] + counts[truth][2];
        }
    }

    /** Labels every clip with all the other clips of its donor as history, as a batch build does. */
    public static Confusion evaluate(List<List<LabelledClip>> donors, StagingRules rules) {
        int[][] counts = new int[2][3];
        for (List<LabelledClip> donor : donors) {
            List<ClipFacts> all = donor.stream().map(LabelledClip::facts).toList();
            for (LabelledClip clip : donor) {
                StagingVerdict v = StagedLabeller.label(clip.facts(), all, rules);
                int label = switch (v.label()) {
                    case StagingVerdict.REAL -> 0;
                    case StagingVerdict.STAGED -> 1;
                    default -> 2;
                };
                counts[clip.staged() ? 1 : 0][label]++;
            }
        }
        return new Confusion(counts);
    }

    public static List<List<LabelledClip>> donors(int count, long seed) {
        Random r = new Random(seed);
        Instant start = Instant.parse("2026-10-01T00:00:00Z");
        List<List<LabelledClip>> donors = new ArrayList<>();
        for (int d = 0; d < count; d++) {
            String donor = "donor-" + d;
            int cameras = 1 + r.nextInt(3);
            // each camera's busy hours: two peaks of the day
            int[][] peaks = new int[cameras][];
            for (int c = 0; c < cameras; c++) peaks[c] = new int[] {6 + r.nextInt(4), 16 + r.nextInt(4)};
            List<LabelledClip> clips = new ArrayList<>();
            int[] n = {0};
            // real incidents, mostly at the hours the camera is busy anyway: they also make its usual hours
            int incidents = 3 + r.nextInt(10);
            for (int i = 0; i < incidents; i++) {
                int cam = r.nextInt(cameras);
                int hour = r.nextDouble() < REAL_AT_USUAL_HOUR ? peaks[cam][r.nextInt(2)] : r.nextInt(24);
                long at = start.plus(Duration.ofDays(r.nextInt(30))).toEpochMilli() + hour * 3_600_000L + r.nextInt(3_600_000);
                long duration = 10_000 + r.nextInt(50_000);
                Boolean declared = declaration(r, REAL_DECLARED_STAGED, REAL_DECLARED_REAL);
                boolean triggered = r.nextDouble() < REAL_TRIGGERED;
                clips.add(new LabelledClip(clip(donor, n, "cam" + cam, at, duration, declared, !triggered, r), false));
                if (cameras > 1 && r.nextDouble() < REAL_SECOND_CAMERA) {
                    int other = (cam + 1) % cameras;
                    clips.add(new LabelledClip(clip(donor, n, "cam" + other, at + r.nextInt(5000), duration, declared,
                            !triggered, r), false));
                }
            }
            if (r.nextDouble() < STAGING_DONORS) {
                int sessions = 1 + r.nextInt(3);
                for (int s = 0; s < sessions; s++) {
                    int cam = r.nextInt(cameras);
                    // staged when it suits the donor, whatever the camera usually sees
                    long at = start.plus(Duration.ofDays(r.nextInt(30))).toEpochMilli() + (9 + r.nextInt(12)) * 3_600_000L;
                    long duration = 15_000 + r.nextInt(30_000);
                    Boolean declared = declaration(r, STAGED_DECLARED_STAGED, STAGED_DECLARED_REAL);
                    boolean byHand = r.nextDouble() < STAGED_STARTED_BY_HAND;
                    boolean second = cameras > 1 && r.nextDouble() < STAGED_SECOND_CAMERA;
                    int takes = 1 + r.nextInt(MAX_TAKES);
                    for (int t = 0; t < takes; t++) {
                        long takeAt = at + t * (3 + r.nextInt(4)) * 60_000L;
                        long takeLength = (long) (duration * (0.8 + 0.4 * r.nextDouble()));
                        clips.add(new LabelledClip(clip(donor, n, "cam" + cam, takeAt, takeLength, declared, byHand, r), true));
                        if (second) {
                            clips.add(new LabelledClip(clip(donor, n, "cam" + ((cam + 1) % cameras), takeAt + r.nextInt(3000),
                                    takeLength, declared, byHand, r), true));
                        }
                    }
                }
            }
            donors.add(clips);
        }
        return donors;
    }

    /** The donor's declaration: staged with probability {@code staged}, real with {@code real}, else none. */
    private static Boolean declaration(Random r, double staged, double real) {
        double u = r.nextDouble();
        if (u < staged) return Boolean.TRUE;
        if (u < staged + real) return Boolean.FALSE;
        return null;
    }

    private static ClipFacts clip(String donor, int[] n, String camera, long at, long duration, Boolean declared,
                                  boolean personAtStart, Random r) {
        float first = personAtStart ? 0.6f + 0.4f * r.nextFloat() : 0.3f * r.nextFloat();
        float best = Math.max(first, 0.6f + 0.4f * r.nextFloat());
        return new ClipFacts(donor + "-clip-" + n[0]++, donor, camera, at, duration, declared, first, best, 1);
    }
}
