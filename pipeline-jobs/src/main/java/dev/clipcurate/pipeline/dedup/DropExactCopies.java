package dev.clipcurate.pipeline.dedup;

import dev.clipcurate.pipeline.intake.ClipTask;
import dev.clipcurate.pipeline.intake.Decisions;
import dev.clipcurate.pipeline.intake.RejectReason;
import dev.clipcurate.pipeline.shards.ManifestFiles;
import dev.clipcurate.schemas.ClipRow;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.core.fs.Path;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;

/**
 * Keyed by the file's verified sha256, before any decoding: of clips with the same bytes only one goes on, the
 * others become {@code duplicate} with reason {@code exact_copy} and {@code dup_of} naming the one that went on.
 * A clip accepted in an earlier dataset version always wins. In a batch build the winner is the first in
 * {@link DedupOrder} (capture time, then clip id), decided when all of the build's input is in, so two builds over
 * the same input decide alike; in a streaming run the first to arrive wins (its frames may already be written).
 */
public class DropExactCopies extends KeyedProcessFunction<String, ClipTask, ClipTask> {
    private static final Logger LOG = LoggerFactory.getLogger(DropExactCopies.class);
    private final List<String> earlierClipManifests;
    private final boolean decideAtEndOfInput;
    private final String buildId;
    private transient Map<String, String> earlierAcceptedBySha;
    private transient ValueState<String> wentOn;
    private transient ListState<ClipTask> waiting;
    private transient Counter copies;

    /**
     * @param earlierClipManifests clip manifests of the versions this build extends
     * @param decideAtEndOfInput   true for batch builds: order by {@link DedupOrder}, not by arrival
     */
    public DropExactCopies(List<String> earlierClipManifests, boolean decideAtEndOfInput, String buildId) {
        this.earlierClipManifests = List.copyOf(earlierClipManifests);
        this.decideAtEndOfInput = decideAtEndOfInput;
        this.buildId = buildId;
    }

    @Override
    public void open(OpenContext context) throws Exception {
        wentOn = getRuntimeContext().getState(new ValueStateDescriptor<>("exact-copy-kept", String.class));
        waiting = getRuntimeContext().getListState(new ListStateDescriptor<>("exact-copy-waiting", ClipTask.class));
        copies = getRuntimeContext().getMetricGroup().counter("clipsExactCopies");
        earlierAcceptedBySha = new HashMap<>();
        for (String manifest : earlierClipManifests) {
            for (ClipRow row : ManifestFiles.readWithout(new Path(manifest), ClipRow.class, Set.of("fingerprint"))) {
                if (Decisions.ACCEPTED.equals(row.getDecision()) && row.getSha256() != null) {
                    earlierAcceptedBySha.putIfAbsent(row.getSha256(), row.getClipId());
                }
            }
        }
    }

    @Override
    public void processElement(ClipTask task, Context ctx, Collector<ClipTask> out) throws Exception {
        String earlier = earlierAcceptedBySha.get(task.sha256);
        if (earlier == null) earlier = wentOn.value();
        if (earlier != null) {
            copy(task, earlier, ctx);
        } else if (decideAtEndOfInput) {
            waiting.add(task);
            ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
        } else {
            wentOn.update(task.clipId);
            out.collect(task);
        }
    }

    /** Batch: fires once per sha256 when the build's input is exhausted. */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ClipTask> out) throws Exception {
        List<ClipTask> same = new ArrayList<>();
        waiting.get().forEach(same::add);
        waiting.clear();
        if (same.isEmpty()) return;
        same.sort(DedupOrder.TASKS);
        ClipTask first = same.get(0);
        wentOn.update(first.clipId);
        out.collect(first);
        for (ClipTask copy : same.subList(1, same.size())) copy(copy, first.clipId, ctx);
    }

    private void copy(ClipTask task, String original, Context ctx) {
        copies.inc();
        ClipRow row = Decisions.forTask(task, buildId);
        row.setDecision(Decisions.DUPLICATE);
        row.setReason(RejectReason.EXACT_COPY.code());
        row.setReasonDetail("the same file (sha256) as clip " + original);
        row.setDupOf(original);
        row.setDupDistance(0f);
        row.setDupOffsetMs(0L);
        row.setDupMirrored(false);
        LOG.info("clip {} is an exact copy of {}", task.clipId, original);
        ctx.output(Decisions.TAG, row);
    }
}
