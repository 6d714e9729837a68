package dev.clipcurate.pipeline.shards;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The dataset's one version committer (parallelism 1): it collects the part files that checkpoints committed, from
 * the post-commit streams of the frames and clip-manifest sinks ({@link ReportingFileSink}), and seals them into the
 * next version at most every seal interval, once every file of those checkpoints has arrived. At the end of the input
 * (a bounded build, a drained run) it seals what is left without waiting.
 *
 * <p>Unsealed reports are operator state. After a restore, the committers report the restored checkpoint's files
 * again and this operator may hold files that a version already lists: reports up to the checkpoint recorded in this
 * build's newest version are dropped, and {@link VersionSealer} seals no file twice.
 */
public final class VersionCommitter extends AbstractStreamOperator<Void>
        implements OneInputStreamOperator<CommitReport, Void>, BoundedOneInput, ProcessingTimeService.ProcessingTimeCallback {
    /** How often the committer looks whether a seal is due. */
    private static final long TICK_MS = 1_000;
    private final DatasetLayout layout;
    private final BuildInfo build;
    private final Set<String> kinds;
    private final long sealIntervalMs;

    private transient ListState<CommitReport> state;
    private transient List<CommitReport> unsealed;
    private transient long sealedCheckpoint;
    private transient long lastSealMs;
    private transient boolean inputEnded;

    /**
     * @param kinds          the report kinds that every checkpoint brings (one per sink)
     * @param sealIntervalMs the least time between two seals of a running stream
     */
    public VersionCommitter(DatasetLayout layout, BuildInfo build, Set<String> kinds, long sealIntervalMs) {
        this.layout = layout;
        this.build = build;
        this.kinds = Set.copyOf(kinds);
        this.sealIntervalMs = sealIntervalMs;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        state = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("unsealed-commit-reports", CommitReport.class));
        unsealed = new ArrayList<>();
        var own = new VersionSealer(layout).newestOf(build.buildId());
        sealedCheckpoint = own == null ? -1 : own.path("build").path("checkpoint_id").asLong(-1);
        for (CommitReport r : state.get()) if (r.checkpointId() > sealedCheckpoint) unsealed.add(r);
        // the interval runs from the last seal (or the build's start), not from this attempt's start: a job that
        // restarts often would otherwise never seal
        lastSealMs = own == null ? build.startedAt().toEpochMilli() : Instant.parse(own.get("created_at").asText()).toEpochMilli();
    }

    @Override
    public void open() throws Exception {
        super.open();
        lastSealMs = Math.min(lastSealMs, getProcessingTimeService().getCurrentProcessingTime());
        getProcessingTimeService().registerTimer(getProcessingTimeService().getCurrentProcessingTime() + TICK_MS, this);
    }

    @Override
    public void processElement(StreamRecord<CommitReport> element) throws Exception {
        CommitReport report = element.getValue();
        if (report.checkpointId() <= sealedCheckpoint) return; // reported again after a restore: sealed already
        unsealed.add(report);
        if (inputEnded) sealReady();
    }

    @Override
    public void onProcessingTime(long time) throws Exception {
        if (time - lastSealMs >= sealIntervalMs) sealReady();
        getProcessingTimeService().registerTimer(time + TICK_MS, this);
    }

    @Override
    public void endInput() throws Exception {
        inputEnded = true;
        sealReady();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        state.update(unsealed);
    }

    /** Seals the files of the checkpoints whose reports are all here, oldest first, if they hold any clip row. */
    private void sealReady() throws Exception {
        long through = completeThrough();
        if (through < 0) return;
        List<Path> tars = new ArrayList<>();
        List<Path> clips = new ArrayList<>();
        for (CommitReport r : unsealed) {
            if (r.checkpointId() > through || !r.isFile()) continue;
            (r.kind().equals(VersionSealer.FRAMES) ? tars : clips).add(new Path(r.path()));
        }
        if (clips.isEmpty() && tars.isEmpty()) {
            unsealed.removeIf(r -> r.checkpointId() <= through);
            return;
        }
        VersionSealer.Sealed sealed;
        try {
            sealed = new VersionSealer(layout).seal(build, new VersionSealer.Seal(tars, clips, through, inputEnded));
        } catch (VersionSealer.Incomplete e) {
            // at the end of the input a checkpoint may be reported in pieces (see completeThrough): wait for the rest
            if (inputEnded) {
                LOG.info("not sealing yet: {}", e.getMessage());
                return;
            }
            throw e;
        }
        unsealed.removeIf(r -> r.checkpointId() <= through);
        lastSealMs = getProcessingTimeService().getCurrentProcessingTime();
        if (sealed != null) {
            LOG.info("sealed {} ({} tars, {} clip manifests, through checkpoint {})",
                    sealed.document().get("name").asText(), tars.size(), clips.size(), through);
        }
    }

    /**
     * The newest checkpoint id such that every unsealed checkpoint up to it is complete: for each kind, a summary
     * from each committer subtask, and as many committables after it as the summary announced. Once the input has
     * ended the subtask count is not awaited: a writer subtask that finished before the final checkpoint sends no
     * summary for it, so every summary received having all its committables is enough; -1 when none is complete.
     */
    private long completeThrough() {
        Map<Long, Map<String, Map<Integer, int[]>>> byCheckpoint = new TreeMap<>();
        Map<Long, Map<String, Integer>> subtasks = new HashMap<>();
        for (CommitReport r : unsealed) {
            int[] seen = byCheckpoint.computeIfAbsent(r.checkpointId(), c -> new HashMap<>())
                    .computeIfAbsent(r.kind(), k -> new HashMap<>())
                    .computeIfAbsent(r.subtask(), s -> new int[] {-1, 0});
            if (r.isSummary()) {
                seen[0] = r.committables();
                subtasks.computeIfAbsent(r.checkpointId(), c -> new HashMap<>()).put(r.kind(), r.subtasks());
            } else {
                seen[1]++;
            }
        }
        long through = -1;
        for (var checkpoint : byCheckpoint.entrySet()) {
            Map<String, Map<Integer, int[]>> byKind = checkpoint.getValue();
            boolean complete = true;
            for (String kind : kinds) {
                Map<Integer, int[]> bySubtask = byKind.getOrDefault(kind, Map.of());
                Integer expected = subtasks.getOrDefault(checkpoint.getKey(), Map.of()).get(kind);
                if (!inputEnded && (expected == null || bySubtask.size() < expected)) complete = false;
                for (int[] seen : bySubtask.values()) if (seen[0] < 0 || seen[1] < seen[0]) complete = false;
            }
            if (!complete) break;
            through = checkpoint.getKey();
        }
        return through;
    }
}
