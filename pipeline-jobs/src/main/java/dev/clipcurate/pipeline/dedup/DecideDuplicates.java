package dev.clipcurate.pipeline.dedup;

import dev.clipcurate.pipeline.intake.ClipTask;
import dev.clipcurate.pipeline.intake.Decisions;
import dev.clipcurate.pipeline.intake.SafetyNet;
import dev.clipcurate.pipeline.intake.RejectReason;
import dev.clipcurate.schemas.ClipRow;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Keyed by clip id: holds a fingerprinted clip until every probe for it is in, verifies each probe with the
 * {@link ClipMatcher}, and either passes the clip on or records it as a duplicate of the first clip in
 * {@link DedupOrder} it matches. "Every probe is in" is an event-time timer at the clip's stamp: probes for a clip
 * are caused by hashes stamped no later than the clip itself, so once the watermark passes the stamp none can
 * follow (streaming). A batch build fires the timer when the build's input is exhausted.
 */
public class DecideDuplicates extends KeyedCoProcessFunction<String, ClipTask, Probe, ClipTask> {
    static final String NAME = "dedup: decide";
    private static final Logger LOG = LoggerFactory.getLogger(DecideDuplicates.class);
    private final DedupSettings settings;
    private final String buildId;
    private transient ClipMatcher matcher;
    private transient ValueState<ClipTask> clip;
    private transient ListState<ClipFingerprint> probes;
    private transient Counter duplicates;
    private transient Counter verified;
    private transient Counter lateProbes;

    public DecideDuplicates(DedupSettings settings, String buildId) {
        this.settings = settings;
        this.buildId = buildId;
    }

    @Override
    public void open(OpenContext context) {
        matcher = new ClipMatcher(settings.matchThreshold());
        clip = getRuntimeContext().getState(new ValueStateDescriptor<>("clip", ClipTask.class));
        probes = getRuntimeContext().getListState(new ListStateDescriptor<>("probes", ClipFingerprint.class));
        duplicates = getRuntimeContext().getMetricGroup().counter("clipsNearDuplicates");
        verified = getRuntimeContext().getMetricGroup().counter("dedupPairsVerified");
        lateProbes = getRuntimeContext().getMetricGroup().counter("dedupLateProbes");
    }

    @Override
    public void processElement1(ClipTask task, Context ctx, Collector<ClipTask> out) throws Exception {
        clip.update(task);
        ctx.timerService().registerEventTimeTimer(task.fingerprint.epoch);
    }

    @Override
    public void processElement2(Probe probe, Context ctx, Collector<ClipTask> out) throws Exception {
        if (probe.clipEpoch <= ctx.timerService().currentWatermark()) {
            // cannot happen while stamps and watermarks come from ArrivalStamps; counted, not silently kept
            lateProbes.inc();
            LOG.warn("clip {} was already decided when a probe against {} arrived", probe.clipId, probe.earlier.clipId);
            return;
        }
        probes.add(probe.earlier);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ClipTask> out) throws Exception {
        ClipTask task = clip.value();
        List<ClipFingerprint> earlier = new ArrayList<>();
        probes.get().forEach(earlier::add);
        clip.clear();
        probes.clear();
        if (task == null) return;
        Optional<ClipRow> duplicate = SafetyNet.judge(NAME, task, buildId, row -> ctx.output(Decisions.TAG, row), () -> {
            earlier.sort(DedupOrder.FINGERPRINTS);
            for (ClipFingerprint kept : earlier) {
                verified.inc();
                ClipMatcher.Match m = matcher.match(task.fingerprint, kept);
                if (m.matched()) {
                    LOG.info("clip {} duplicates {} (distance {}, offset {} ms{})", task.clipId, kept.clipId,
                            String.format("%.3f", m.distance()), m.offsetMs(), m.mirrored() ? ", mirrored" : "");
                    return Optional.of(duplicateRow(task, kept.clipId, m));
                }
            }
            return Optional.empty();
        });
        if (duplicate == null) return; // its processing_error row is out
        if (duplicate.isPresent()) {
            duplicates.inc();
            ctx.output(Decisions.TAG, duplicate.get());
            return;
        }
        out.collect(task);
    }

    private ClipRow duplicateRow(ClipTask task, String kept, ClipMatcher.Match m) {
        ClipRow row = Decisions.forTask(task, buildId);
        row.setDecision(Decisions.DUPLICATE);
        row.setReason((m.mirrored() ? RejectReason.MIRRORED_DUPLICATE : RejectReason.NEAR_DUPLICATE).code());
        row.setReasonDetail(m.staticClips()
                ? String.format("the same still scene as clip %s (no motion; median PDQ distance %.0f bits at offset %d ms)",
                        kept, m.distance() * 256, m.offsetMs())
                : String.format("the same footage as clip %s%s, starting at %d ms of it (motion correlation %.2f)",
                        kept, m.mirrored() ? ", mirrored" : "", m.offsetMs(), 1 - m.distance()));
        row.setDupOf(kept);
        row.setDupDistance((float) m.distance());
        row.setDupOffsetMs(m.offsetMs());
        row.setDupMirrored(m.mirrored());
        return row;
    }
}
