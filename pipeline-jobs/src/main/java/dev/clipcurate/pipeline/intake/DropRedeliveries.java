package dev.clipcurate.pipeline.intake;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keyed by clip id: passes the first message of a clip and drops later ones. The seen-flag is checkpointed
 * with the source offsets, so a redelivery after a restart is dropped as well.
 */
public class DropRedeliveries extends KeyedProcessFunction<String, ClipTask, ClipTask> {
    private static final Logger LOG = LoggerFactory.getLogger(DropRedeliveries.class);
    private transient ValueState<Boolean> seen;
    private transient Counter redelivered;

    @Override
    public void open(OpenContext context) {
        seen = getRuntimeContext().getState(new ValueStateDescriptor<>("clip-seen", Boolean.class));
        redelivered = getRuntimeContext().getMetricGroup().counter("messagesRedelivered");
    }

    @Override
    public void processElement(ClipTask task, Context ctx, Collector<ClipTask> out) throws Exception {
        if (seen.value() != null) {
            redelivered.inc();
            LOG.info("dropping redelivered clip {} ({}-{}@{})", task.clipId, task.sourceTopic, task.sourcePartition,
                    task.sourceOffset);
            return;
        }
        seen.update(Boolean.TRUE);
        out.collect(task);
    }
}
