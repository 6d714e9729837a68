package dev.clipcurate.pipeline.staging;

import dev.clipcurate.pipeline.common.Campaigns;
import dev.clipcurate.pipeline.intake.ClipTask;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Labels each clip staged | real | uncertain (keyed by donor). The donor's clips are the evidence: those of
 * earlier versions (second input) and those of this run. A clip is labelled when the watermark passes its
 * arrival stamp plus the settle time, so it sees every clip of the donor stamped up to then: in a batch build
 * all stamps are equal and every clip sees all others; in a streaming run a clip sees those that arrived before
 * it or within the settle time after it (a donor's second camera often uploads a little later).
 * History older than {@value #HISTORY_DAYS} days of capture time (before the donor's newest clip) is dropped.
 */
public class LabelStaging extends KeyedCoProcessFunction<String, ClipTask, ClipFacts, ClipTask> {
    static final int HISTORY_DAYS = 30;
    private final Campaigns campaigns;
    private final long settleMs;
    private transient ListState<ClipFacts> known;
    private transient MapState<String, ClipTask> waiting;

    /** @param settleMs how long a streaming run waits for more of the donor's clips before labelling one (0 in batch) */
    public LabelStaging(Campaigns campaigns, long settleMs) {
        this.campaigns = campaigns;
        this.settleMs = settleMs;
    }

    @Override
    public void open(OpenContext context) {
        known = getRuntimeContext().getListState(new ListStateDescriptor<>("donor-clips", TypeInformation.of(ClipFacts.class)));
        waiting = getRuntimeContext().getMapState(new MapStateDescriptor<>("waiting", Types.STRING, TypeInformation.of(ClipTask.class)));
    }

    @Override
    public void processElement1(ClipTask task, Context ctx, Collector<ClipTask> out) throws Exception {
        long stamp = ctx.timestamp() == null ? 1 : ctx.timestamp();
        known.add(facts(task, stamp));
        waiting.put(task.clipId, task);
        ctx.timerService().registerEventTimeTimer(stamp + settleMs);
    }

    @Override
    public void processElement2(ClipFacts earlier, Context ctx, Collector<ClipTask> out) throws Exception {
        known.add(earlier);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ClipTask> out) throws Exception {
        List<ClipFacts> all = new ArrayList<>();
        known.get().forEach(all::add);
        List<String> done = new ArrayList<>();
        for (var entry : waiting.entries()) {
            ClipTask task = entry.getValue();
            ClipFacts self = all.stream().filter(f -> f.clipId.equals(task.clipId)).findFirst().orElseThrow();
            long horizon = self.stamp + settleMs;
            if (horizon > timestamp) continue;
            List<ClipFacts> before = all.stream().filter(f -> f.stamp <= horizon && f != self).toList();
            StagingVerdict verdict = StagedLabeller.label(self, before, campaigns.of(task.campaign).staging());
            task.stagedLabel = verdict.label();
            task.stagedConfidence = verdict.confidence();
            task.stagedEvidence = verdict.evidence().toArray(String[]::new);
            out.collect(task);
            done.add(entry.getKey());
        }
        for (String id : done) waiting.remove(id);
        long newest = all.stream().mapToLong(f -> f.capturedAtMs).max().orElse(0);
        long horizon = newest - Duration.ofDays(HISTORY_DAYS).toMillis();
        if (all.stream().anyMatch(f -> f.capturedAtMs < horizon)) {
            known.update(all.stream().filter(f -> f.capturedAtMs >= horizon).toList());
        }
    }

    /** What the labeller needs of a scored clip. */
    public static ClipFacts facts(ClipTask task, long stamp) {
        Float first = null;
        Float best = null;
        if (task.frameScores != null && task.frameScores.length > 0) {
            first = task.frameScores[0];
            float max = first;
            for (float s : task.frameScores) max = Math.max(max, s);
            best = max;
        }
        long durationMs = task.durationS == null ? 0 : Math.round(task.durationS * 1000);
        return new ClipFacts(task.clipId, task.donorPseudonym, task.cameraId, capturedAtMs(task.capturedAt), durationMs, task.declaredStaged,
                first, best, stamp);
    }

    static long capturedAtMs(String capturedAt) {
        try {
            return Instant.parse(capturedAt).toEpochMilli();
        } catch (RuntimeException e) {
            return 0;
        }
    }
}
