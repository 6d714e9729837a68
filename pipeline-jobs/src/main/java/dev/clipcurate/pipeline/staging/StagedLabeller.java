package dev.clipcurate.pipeline.staging;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Combines evidence into staged | real | uncertain: each kind found adds its campaign weight to the prior
 * log-odds; the probability sigmoid(sum) is compared with the campaign's thresholds. Pure: the operator gives it
 * the donor's other clips.
 */
public final class StagedLabeller {
    /** Clips captured further apart than this are no evidence for each other. */
    public static final int HISTORY_DAYS = 30;

    private StagedLabeller() {}

    /**
     * @param clip   the clip to label
     * @param others the donor's other clips known when the clip is labelled (this build, earlier versions)
     */
    public static StagingVerdict label(ClipFacts clip, List<ClipFacts> others, StagingRules rules) {
        List<String> evidence = new ArrayList<>();
        double logOdds = rules.priorLogOdds();
        if (clip.declaredStaged != null) {
            Evidence e = clip.declaredStaged ? Evidence.DECLARED_STAGED : Evidence.DECLARED_REAL;
            logOdds += add(evidence, e, rules, "the donor's declaration");
        }
        ClipFacts simultaneous = null;
        int takes = 0;
        int sameCamera = 0;
        int nearHour = 0;
        long slackMs = (long) (rules.multiCameraSlackSeconds() * 1000);
        long windowMs = (long) (rules.repeatedWindowMinutes() * 60_000);
        long historyMs = Duration.ofDays(HISTORY_DAYS).toMillis();
        Set<String> sameRecording = continuousRecording(clip, others, (long) (rules.continuousGapSeconds() * 1000));
        for (ClipFacts o : others) {
            if (o.clipId.equals(clip.clipId) || Math.abs(o.capturedAtMs - clip.capturedAtMs) > historyMs) continue;
            boolean sameCam = o.cameraId.equals(clip.cameraId);
            if (!sameCam && o.capturedAtMs <= clip.endMs() + slackMs && clip.capturedAtMs <= o.endMs() + slackMs
                    && (simultaneous == null || SIMULTANEOUS_ORDER.compare(o, simultaneous) < 0)) {
                simultaneous = o;
            }
            if (sameCam) {
                sameCamera++;
                if (hoursApart(o.capturedAtMs, clip.capturedAtMs) <= 1.0) nearHour++;
                double ratio = Math.max(o.durationMs, clip.durationMs) / (double) Math.max(1, Math.min(o.durationMs, clip.durationMs));
                if (Math.abs(o.capturedAtMs - clip.capturedAtMs) <= windowMs && ratio <= rules.repeatedDurationRatio()
                        && !sameRecording.contains(o.clipId)) takes++;
            }
        }
        if (simultaneous != null) {
            // names the camera and the offset, not the other clip: it may be rejected or erased later
            long offsetS = Math.round((simultaneous.capturedAtMs - clip.capturedAtMs) / 1000.0);
            logOdds += add(evidence, Evidence.MULTI_CAMERA, rules, "camera " + simultaneous.cameraId
                    + " of the same donor was recording at the same time (its clip starts " + Math.abs(offsetS) + " s "
                    + (offsetS < 0 ? "before" : "after") + " this one)");
        }
        if (takes >= rules.repeatedMinClips()) {
            logOdds += add(evidence, Evidence.REPEATED_SCENE, rules, takes + " other clip(s) of similar length from camera "
                    + clip.cameraId + " within " + fmt(rules.repeatedWindowMinutes()) + " min");
        }
        if (sameCamera >= rules.usualTimeMinHistory() && nearHour <= rules.usualTimeMaxShare() * sameCamera) {
            logOdds += add(evidence, Evidence.UNUSUAL_TIME, rules, nearHour + " of the camera's " + sameCamera
                    + " other clips lie within an hour of this time of day");
        }
        if (clip.firstFrameScore != null && clip.bestFrameScore != null) {
            if (clip.firstFrameScore >= rules.personAt()) {
                logOdds += add(evidence, Evidence.PERSON_AT_START, rules, "first frame scores " + fmt(clip.firstFrameScore));
            } else if (clip.bestFrameScore >= rules.personAt()) {
                logOdds += add(evidence, Evidence.PERSON_ENTERS, rules, "first frame scores " + fmt(clip.firstFrameScore)
                        + ", a later one " + fmt(clip.bestFrameScore));
            }
        }
        double p = 1 / (1 + Math.exp(-logOdds));
        String label = p >= rules.stagedAt() ? StagingVerdict.STAGED : p <= rules.realAt() ? StagingVerdict.REAL
                : StagingVerdict.UNCERTAIN;
        return new StagingVerdict(label, (float) Math.max(p, 1 - p), List.copyOf(evidence));
    }

    /**
     * The clips of the clip's camera that belong to its continuous recording: linked to it by a chain of clips that
     * overlap or follow each other within {@code gapMs} (a camera that records all the time, or a long video cut
     * into parts). Takes of a staged scene cannot be: the scene is reset between them.
     */
    static Set<String> continuousRecording(ClipFacts clip, List<ClipFacts> others, long gapMs) {
        List<ClipFacts> camera = new ArrayList<>();
        for (ClipFacts o : others) if (o.cameraId.equals(clip.cameraId) && !o.clipId.equals(clip.clipId)) camera.add(o);
        Set<String> chained = new HashSet<>();
        java.util.ArrayDeque<ClipFacts> frontier = new java.util.ArrayDeque<>(List.of(clip));
        while (!frontier.isEmpty()) {
            ClipFacts c = frontier.poll();
            for (ClipFacts o : camera) {
                if (!chained.contains(o.clipId) && o.capturedAtMs <= c.endMs() + gapMs && c.capturedAtMs <= o.endMs() + gapMs) {
                    chained.add(o.clipId);
                    frontier.add(o);
                }
            }
        }
        return chained;
    }

    /** Which simultaneous clip the evidence cites, whatever order the clips arrived in: camera, then start. */
    private static final java.util.Comparator<ClipFacts> SIMULTANEOUS_ORDER =
            java.util.Comparator.<ClipFacts, String>comparing(f -> f.cameraId).thenComparingLong(f -> f.capturedAtMs)
                    .thenComparing(f -> f.clipId);

    /** Records evidence with a weight; one weighted 0 in the campaign is left out. */
    private static double add(List<String> evidence, Evidence e, StagingRules rules, String detail) {
        double w = rules.weight(e);
        if (w != 0) evidence.add(e.code() + " " + String.format(Locale.ROOT, "%+.2f", w) + ": " + detail);
        return w;
    }

    /** Distance between two instants' times of day, in hours (0..12). */
    static double hoursApart(long aMs, long bMs) {
        int a = Instant.ofEpochMilli(aMs).atZone(ZoneOffset.UTC).toLocalTime().toSecondOfDay();
        int b = Instant.ofEpochMilli(bMs).atZone(ZoneOffset.UTC).toLocalTime().toSecondOfDay();
        int d = Math.abs(a - b);
        return Math.min(d, Duration.ofDays(1).toSeconds() - d) / 3600.0;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
