package dev.clipcurate.pipeline.dedup;

import dev.clipcurate.pipeline.intake.ClipTask;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Timestamps fingerprinted clips with their epoch ({@code DecodeOnce}, the decoding pass) and promises that no clip will follow
 * with a stamp below the current time: stamps are the wall-clock time of fingerprinting, never decreasing per
 * subtask. So the watermark advances while a subtask is idle, and {@link DecideDuplicates} learns when every clip
 * that could come before a given one has been indexed. Must run chained right after the decoding pass.
 */
public class ArrivalStamps implements WatermarkStrategy<ClipTask> {
    @Override
    public TimestampAssigner<ClipTask> createTimestampAssigner(TimestampAssignerSupplier.Context context) {
        return (task, previous) -> task.fingerprint.epoch;
    }

    @Override
    public WatermarkGenerator<ClipTask> createWatermarkGenerator(WatermarkGeneratorSupplier.Context context) {
        return new WatermarkGenerator<>() {
            private long maxStamp = Long.MIN_VALUE;

            @Override
            public void onEvent(ClipTask task, long timestamp, WatermarkOutput output) {
                maxStamp = Math.max(maxStamp, timestamp);
            }

            @Override
            public void onPeriodicEmit(WatermarkOutput output) {
                output.emitWatermark(new Watermark(Math.max(maxStamp, System.currentTimeMillis()) - 1));
            }
        };
    }
}
