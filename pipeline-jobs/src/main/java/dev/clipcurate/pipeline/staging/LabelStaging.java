package dev.clipcurate.pipeline.staging;

import dev.clipcurate.pipeline.common.Campaigns;
import dev.clipcurate.pipeline.intake.ClipTask;
import dev.clipcurate.pipeline.intake.Decisions;
import dev.clipcurate.pipeline.intake.SafetyNet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
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
 * Clips captured more than {@link StagedLabeller#HISTORY_DAYS} days apart are no evidence for each other, so
 * older history is dropped from state.
 */
public class LabelStaging extends KeyedCoProcessFunction<String, ClipTask, ClipFacts, ClipTask> {
    static final String NAME = "staging: label";
    private final Campaigns campaigns;
    private final long settleMs;
    private final boolean streaming;
    private final String buildId;
    private transient ListState<ClipFacts> known;
    private transient MapState<String, Waiting> waiting;

    /** A clip waiting for its label, with its arrival stamp. A POJO for Flink's serializer. */
    public static class Waiting {
        public ClipTask task;
        public long stamp;

        public Waiting() {}

        Waiting(ClipTask task, long stamp) {
            this.task = task;
            this.stamp = stamp;
        }
    }

    /**
     * @param settleMs  how long a streaming run waits for more of the donor's clips before labelling one (0 in batch)
     * @param streaming a streaming run: the donor history expires {@value #STATE_DAYS} days after it was written,
     *                  so donors who stop donating leave nothing behind (batch state ends with the job)
     */
    public LabelStaging(Campaigns campaigns, long settleMs, boolean streaming, String buildId) {
        this.campaigns = campaigns;
        this.settleMs = settleMs;
        this.streaming = streaming;
        this.buildId = buildId;
    }

    static final int STATE_DAYS = 2 * StagedLabeller.HISTORY_DAYS;

    @Override
    public void open(OpenContext context) {
        ListStateDescriptor<ClipFacts> history = new ListStateDescriptor<>("donor-clips", TypeInformation.of(ClipFacts.class));
        if (streaming) history.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofDays(STATE_DAYS)).build());
        known = getRuntimeContext().getListState(history);
        waiting = getRuntimeContext().getMapState(new MapStateDescriptor<>("waiting", Types.STRING, TypeInformation.of(Waiting.class)));
    }

    @Override
    public void processElement1(ClipTask task, Context ctx, Collector<ClipTask> out) throws Exception {
        long stamp = ctx.timestamp() == null ? 1 : ctx.timestamp();
        ClipFacts facts = SafetyNet.judge(NAME, task, buildId, row -> ctx.output(Decisions.TAG, row), () -> facts(task, stamp));
        if (facts == null) return;
        known.add(facts);
        waiting.put(task.clipId, new Waiting(task, stamp));
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
            Waiting w = entry.getValue();
            long horizon = w.stamp + settleMs;
            if (horizon > timestamp) continue;
            done.add(entry.getKey());
            StagingVerdict verdict = SafetyNet.judge(NAME, w.task, buildId, row -> ctx.output(Decisions.TAG, row), () -> {
                ClipFacts self = facts(w.task, w.stamp);
                List<ClipFacts> others = all.stream().filter(f -> f.stamp <= horizon && !f.clipId.equals(self.clipId)).toList();
                return StagedLabeller.label(self, others, campaigns.of(w.task.campaign).staging());
            });
            if (verdict == null) continue;
            w.task.stagedLabel = verdict.label();
            w.task.stagedConfidence = verdict.confidence();
            w.task.stagedEvidence = verdict.evidence().toArray(String[]::new);
            out.collect(w.task);
        }
        for (String id : done) waiting.remove(id);
        prune(all);
    }

    /**
     * Drops clips captured more than the labeller's history window before the donor's newest clip: no later clip
     * can use them. Clips still waiting stay; capture times in the future (a wrong camera clock) do not count.
     */
    private void prune(List<ClipFacts> all) throws Exception {
        long latestPlausible = System.currentTimeMillis() + Duration.ofDays(1).toMillis();
        long newest = all.stream().mapToLong(f -> f.capturedAtMs).filter(t -> t <= latestPlausible).max().orElse(Long.MIN_VALUE);
        if (newest == Long.MIN_VALUE) return;
        long oldestUseful = newest - Duration.ofDays(StagedLabeller.HISTORY_DAYS).toMillis();
        java.util.Set<String> stillWaiting = new java.util.HashSet<>();
        waiting.keys().forEach(stillWaiting::add);
        if (all.stream().anyMatch(f -> f.capturedAtMs < oldestUseful && !stillWaiting.contains(f.clipId))) {
            known.update(all.stream().filter(f -> f.capturedAtMs >= oldestUseful || stillWaiting.contains(f.clipId)).toList());
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
        // intake has checked captured_at is ISO-8601
        return new ClipFacts(task.clipId, task.donorPseudonym, task.cameraId, Instant.parse(task.capturedAt).toEpochMilli(),
                durationMs, task.declaredStaged, first, best, stamp);
    }
}
