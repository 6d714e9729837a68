package dev.clipcurate.pipeline.scoring;

import dev.clipcurate.pipeline.common.Campaigns;
import dev.clipcurate.pipeline.intake.ClipRejected;
import dev.clipcurate.pipeline.intake.ClipTask;
import dev.clipcurate.pipeline.intake.Decisions;
import dev.clipcurate.pipeline.intake.RejectReason;
import dev.clipcurate.schemas.ClipRow;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rejects a clip whose usefulness, scored in the decoding pass ({@link ClipScore}), is below its campaign's
 * minimum ({@code low_score}, with its score). It comes after the dedup decision, so a copy is called a copy
 * whatever it scored.
 */
public class RejectLowScore extends ProcessFunction<ClipTask, ClipTask> {
    private static final Logger LOG = LoggerFactory.getLogger(RejectLowScore.class);
    private final Campaigns campaigns;
    private final String buildId;
    private transient Counter lowScore;

    public RejectLowScore(Campaigns campaigns, String buildId) {
        this.campaigns = campaigns;
        this.buildId = buildId;
    }

    @Override
    public void open(OpenContext context) {
        lowScore = getRuntimeContext().getMetricGroup().counter("clipsLowScore");
    }

    @Override
    public void processElement(ClipTask task, Context ctx, Collector<ClipTask> out) {
        double minimum = campaigns.of(task.campaign).scoring().minScore();
        // the pass's own decision (on the score before it was stored as a float): it anonymised the clip or not
        if (task.belowMinimumScore) {
            lowScore.inc();
            ClipRow row = Decisions.rejected(task, new ClipRejected(RejectReason.LOW_SCORE, String.format(java.util.Locale.ROOT,
                    "%s is below the minimum %.2f of campaign %s", task.scoreDetail, minimum, task.campaign)), buildId);
            LOG.info("rejected clip {}: low_score ({})", task.clipId, row.getReasonDetail());
            ctx.output(Decisions.TAG, row);
            return;
        }
        out.collect(task);
    }
}
