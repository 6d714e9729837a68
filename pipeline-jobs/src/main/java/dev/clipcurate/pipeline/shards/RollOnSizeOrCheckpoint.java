package dev.clipcurate.pipeline.shards;

import org.apache.flink.streaming.api.functions.sink.filesystem.PartFileInfo;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.CheckpointRollingPolicy;

import java.io.IOException;

/**
 * Bulk formats must roll on checkpoints (streaming); BATCH runs have no checkpoints, so shards also roll by
 * size, which keeps tar shards near the target size in both modes.
 */
public final class RollOnSizeOrCheckpoint<IN> extends CheckpointRollingPolicy<IN, String> {
    private final long maxPartBytes;

    public RollOnSizeOrCheckpoint(long maxPartBytes) {
        this.maxPartBytes = maxPartBytes;
    }

    @Override
    public boolean shouldRollOnEvent(PartFileInfo<String> partFileState, IN element) throws IOException {
        return partFileState.getSize() >= maxPartBytes;
    }

    @Override
    public boolean shouldRollOnProcessingTime(PartFileInfo<String> partFileState, long currentTime) {
        return false;
    }
}
