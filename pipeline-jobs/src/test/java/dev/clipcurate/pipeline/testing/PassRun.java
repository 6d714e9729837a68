package dev.clipcurate.pipeline.testing;

import dev.clipcurate.pipeline.common.Campaigns;
import dev.clipcurate.pipeline.intake.ClipTask;
import dev.clipcurate.pipeline.intake.Decisions;
import dev.clipcurate.pipeline.media.DecodeGuard;
import dev.clipcurate.pipeline.media.DecodeLimits;
import dev.clipcurate.pipeline.media.FrameSample;
import dev.clipcurate.pipeline.pass.DecodeOnce;
import dev.clipcurate.pipeline.privacy.PrivacySettings;
import dev.clipcurate.pipeline.privacy.ReleaseFrames;
import dev.clipcurate.pipeline.scoring.ScoringSettings;
import dev.clipcurate.schemas.ClipRow;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Clips through the real decoding pass and the frame release, as the job runs them (without dedup and staging
 * between): what privacy tests look at. Campaign rules with no minimum score, unless given: a test of the privacy
 * stage must not depend on the scoring model.
 */
public final class PassRun {
    /** The rows of every clip, the frames written, and the clips as they left the pass. */
    public record Result(List<ClipRow> rows, List<FrameSample> frames, List<ClipTask> analysed) {}

    private PassRun() {}

    /** The bundled rules with every campaign's minimum score at 0. */
    public static Campaigns everyClipScoresEnough(Path tmp) throws Exception {
        String zero = "{\"scoring\": {\"min_score\": 0}}";
        StringBuilder listed = new StringBuilder();
        for (String campaign : Campaigns.load(null).listed().keySet()) {
            listed.append(listed.isEmpty() ? "" : ", ").append('"').append(campaign).append("\": ").append(zero);
        }
        Path rules = Files.writeString(tmp.resolve("min-score-0.json"),
                "{\"defaults\": " + zero + ", \"campaigns\": {" + listed + "}}");
        return Campaigns.load(rules);
    }

    public static Result run(Path tmp, List<ClipTask> tasks) throws Exception {
        return run(tasks, everyClipScoresEnough(tmp), DecodeGuard.none(), PrivacySettings.defaults());
    }

    public static Result run(Path tmp, List<ClipTask> tasks, PrivacySettings privacy) throws Exception {
        return run(tasks, everyClipScoresEnough(tmp), DecodeGuard.none(), privacy);
    }

    public static Result run(List<ClipTask> tasks, Campaigns campaigns, DecodeGuard guard, PrivacySettings privacy)
            throws Exception {
        List<ClipRow> rows = new ArrayList<>();
        List<ClipTask> analysed;
        DecodeOnce pass = new DecodeOnce(DecodeLimits.defaults(), guard, false, ScoringSettings.defaults(), campaigns,
                privacy, "b1");
        try (var harness = ProcessFunctionTestHarnesses.forProcessFunction(pass)) {
            long ts = 0;
            for (ClipTask task : tasks) harness.processElement(task, ++ts);
            analysed = harness.extractOutputValues();
            if (harness.getSideOutput(Decisions.TAG) != null) {
                harness.getSideOutput(Decisions.TAG).forEach(r -> rows.add(r.getValue()));
            }
        }
        List<FrameSample> frames;
        try (var harness = ProcessFunctionTestHarnesses.forProcessFunction(new ReleaseFrames(privacy, "b1"))) {
            long ts = 0;
            for (ClipTask task : analysed) {
                if (!task.belowMinimumScore) harness.processElement(task, ++ts);
            }
            frames = harness.extractOutputValues();
            if (harness.getSideOutput(Decisions.TAG) != null) {
                harness.getSideOutput(Decisions.TAG).stream().map(StreamRecord::getValue).forEach(rows::add);
            }
        }
        return new Result(rows, frames, analysed);
    }
}
