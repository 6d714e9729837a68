package dev.clipcurate.pipeline.intake;

import dev.clipcurate.pipeline.shards.ManifestFiles;
import dev.clipcurate.schemas.ClipRow;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.core.fs.Path;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Keyed by clip id: passes the first message of a clip and drops later ones. The seen-flag is checkpointed
 * with the source offsets, so a redelivery after a restart is dropped as well; clip ids of earlier dataset
 * versions (read from their clip manifests) count as seen, so a redelivery in a later build is dropped too.
 */
public class DropRedeliveries extends KeyedProcessFunction<String, ClipTask, ClipTask> {
    private static final Logger LOG = LoggerFactory.getLogger(DropRedeliveries.class);
    private final List<String> earlierClipManifests;
    private transient Set<String> earlierClipIds;
    private transient ValueState<Boolean> seen;
    private transient Counter redelivered;

    /** @param earlierClipManifests clip manifest files (URIs) of the versions this build extends */
    public DropRedeliveries(List<String> earlierClipManifests) {
        this.earlierClipManifests = List.copyOf(earlierClipManifests);
    }

    @Override
    public void open(OpenContext context) throws Exception {
        seen = getRuntimeContext().getState(new ValueStateDescriptor<>("clip-seen", Boolean.class));
        redelivered = getRuntimeContext().getMetricGroup().counter("messagesRedelivered");
        earlierClipIds = new HashSet<>();
        for (String manifest : earlierClipManifests) {
            for (ClipRow row : ManifestFiles.readWithout(new Path(manifest), ClipRow.class, Set.of("fingerprint"))) {
                // a clip refused for want of consent may come again once the donor has granted it, and one the
                // pipeline failed on (processing_error) once the cause is fixed
                if (row.getClipId() != null && !Decisions.rejectedAtParsing(row)
                        && !RejectReason.NO_CONSENT.code().equals(row.getReason())
                        && !RejectReason.PROCESSING_ERROR.code().equals(row.getReason())) earlierClipIds.add(row.getClipId());
            }
        }
    }

    @Override
    public void processElement(ClipTask task, Context ctx, Collector<ClipTask> out) throws Exception {
        if (seen.value() != null || earlierClipIds.contains(task.clipId)) {
            redelivered.inc();
            LOG.info("dropping redelivered clip {} ({}-{}@{})", task.clipId, task.sourceTopic, task.sourcePartition,
                    task.sourceOffset);
            return;
        }
        seen.update(Boolean.TRUE);
        out.collect(task);
    }
}
