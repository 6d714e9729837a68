package dev.clipcurate.pipeline.dedup;

import dev.clipcurate.pipeline.intake.SafetyNet;
import dev.clipcurate.pipeline.intake.ClipTask;
import dev.clipcurate.pipeline.intake.Decisions;
import dev.clipcurate.pipeline.media.ClipDecoder;
import dev.clipcurate.pipeline.media.DecodeGuard;
import dev.clipcurate.pipeline.media.DecodeLimits;
import dev.clipcurate.pipeline.media.DecodedClip;
import dev.clipcurate.pipeline.media.LocalClipFile;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decodes a clip at the fingerprint rate ({@link DedupSettings#SAMPLE_FPS}) and attaches its {@link ClipFingerprint}.
 * A file that cannot be decoded is rejected here with its reason, before any face work. The fingerprint's epoch
 * places the clip in {@link DedupOrder}: the same for every clip of a batch build (capture time decides), the time
 * the fingerprint was done in a streaming run (the first to arrive is kept); {@link ArrivalStamps} turns it into
 * the record's timestamp and the watermark.
 */
public class FingerprintClip extends ProcessFunction<ClipTask, ClipTask> {
    /** The epoch of every clip of a batch build; 0 is reserved for clips of earlier versions. */
    public static final long BATCH_EPOCH = 1;
    static final String NAME = "dedup: fingerprint";
    private final DecodeLimits limits;
    private final DecodeGuard guard;
    private final boolean stampArrival;
    private final String buildId;
    private transient ClipDecoder decoder;
    private transient PdqHasher hasher;
    private transient long lastStamp;
    private transient org.apache.flink.api.common.accumulators.LongCounter stageNanos;

    /** @param stampArrival true in streaming runs: the first clip to arrive is kept */
    public FingerprintClip(DecodeLimits jobLimits, DecodeGuard guard, boolean stampArrival, String buildId) {
        this.limits = DedupSettings.fingerprintLimits(jobLimits);
        this.guard = guard;
        this.stampArrival = stampArrival;
        this.buildId = buildId;
    }

    @Override
    public void open(OpenContext context) {
        org.bytedeco.opencv.global.opencv_core.setNumThreads(1);
        decoder = new ClipDecoder(limits);
        hasher = new PdqHasher();
        stageNanos = dev.clipcurate.pipeline.job.Progress.stageTime(getRuntimeContext(),
                dev.clipcurate.pipeline.job.Progress.STAGE_FINGERPRINT);
    }

    @Override
    public void processElement(ClipTask task, Context ctx, Collector<ClipTask> out) throws Exception {
        ClipFingerprinter fingerprinter = new ClipFingerprinter(hasher);
        long started = System.nanoTime();
        DecodedClip media = SafetyNet.judge(NAME, task, buildId, row -> ctx.output(Decisions.TAG, row), () -> {
            try (LocalClipFile file = LocalClipFile.of(new Path(task.resolvedPath))) {
                return guard.around(task.sha256, () -> decoder.decode(file.file(), (i, tsMs, image) -> fingerprinter.add(tsMs, image)));
            }
        });
        stageNanos.add(System.nanoTime() - started);
        if (media == null) return;
        // duplicates are not decoded again: their manifest rows get these facts from here
        task.container = media.container();
        task.videoCodec = media.videoCodec();
        task.durationS = media.durationSeconds();
        task.fps = media.fps();
        task.width = media.width();
        task.height = media.height();
        long epoch = BATCH_EPOCH;
        if (stampArrival) {
            // never below an earlier stamp of this subtask, which ArrivalStamps' watermark may already have passed
            lastStamp = Math.max(Math.max(lastStamp, System.currentTimeMillis()), BATCH_EPOCH);
            epoch = lastStamp;
        }
        task.fingerprint = fingerprinter.build(task.clipId, task.capturedAt, epoch);
        out.collect(task);
    }
}
