package dev.clipcurate.pipeline.media;

import dev.clipcurate.pipeline.common.Hashing;
import dev.clipcurate.pipeline.intake.ClipRejected;
import dev.clipcurate.pipeline.intake.ClipTask;
import dev.clipcurate.pipeline.intake.Decisions;
import dev.clipcurate.pipeline.intake.RejectReason;
import dev.clipcurate.pipeline.job.Progress;
import dev.clipcurate.schemas.ClipRow;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.Path;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Decodes each clip completely before emitting anything: a clip that fails half-way (truncated, over a limit)
 * writes no frames at all, only its rejected row.
 */
public class DecodeClip extends ProcessFunction<ClipTask, FrameSample> {
    private static final Logger LOG = LoggerFactory.getLogger(DecodeClip.class);
    private final DecodeLimits limits;
    private final String buildId;
    private transient ClipDecoder decoder;
    private transient Counter framesOut;
    private transient Counter clipsAccepted;
    private transient Counter clipsRejected;
    private transient org.apache.flink.api.common.accumulators.LongCounter clipsDone;
    private transient org.apache.flink.api.common.accumulators.LongCounter framesDone;

    public DecodeClip(DecodeLimits limits, String buildId) {
        this.limits = limits;
        this.buildId = buildId;
    }

    @Override
    public void open(OpenContext context) {
        decoder = new ClipDecoder(limits);
        framesOut = getRuntimeContext().getMetricGroup().counter("framesSampled");
        clipsAccepted = getRuntimeContext().getMetricGroup().counter("clipsDecoded");
        clipsRejected = getRuntimeContext().getMetricGroup().counter("clipsRejectedByDecoder");
        clipsDone = getRuntimeContext().getLongCounter(Progress.CLIPS_DECODED);
        framesDone = getRuntimeContext().getLongCounter(Progress.FRAMES_SAMPLED);
    }

    @Override
    public void processElement(ClipTask task, Context ctx, Collector<FrameSample> out) {
        DecodedClip clip;
        clipsDone.add(1);
        try {
            clip = decodeFrom(new Path(task.resolvedPath));
        } catch (ClipRejected e) {
            clipsRejected.inc();
            LOG.warn("rejected clip {}: {} ({})", task.clipId, e.reason().code(), e.getMessage());
            ClipRow row = Decisions.rejected(task, e, buildId);
            ctx.output(Decisions.TAG, row);
            return;
        }
        List<DecodedClip.SampledFrame> frames = clip.frames();
        for (int i = 0; i < frames.size(); i++) {
            out.collect(toSample(task, clip, i, frames.get(i)));
        }
        framesOut.inc(frames.size());
        framesDone.add(frames.size());
        clipsAccepted.inc();
        ClipRow row = Decisions.forTask(task, buildId);
        describe(row, clip);
        row.setFramesWritten(frames.size());
        ctx.output(Decisions.TAG, row);
    }

    private DecodedClip decodeFrom(Path path) throws ClipRejected {
        if ("file".equals(path.toUri().getScheme())) return decoder.decode(new File(path.toUri()));
        // FFmpeg reads local files; remote landing areas (s3, hdfs) are copied to a temporary file first
        File local = null;
        try {
            local = File.createTempFile("clip-", ".bin");
            try (FSDataInputStream in = path.getFileSystem().open(path)) {
                Files.copy(in, local.toPath(), StandardCopyOption.REPLACE_EXISTING);
            }
            return decoder.decode(local);
        } catch (IOException e) {
            throw new ClipRejected(RejectReason.READ_ERROR, "cannot copy clip from landing area: " + e.getMessage());
        } finally {
            if (local != null && !local.delete()) local.deleteOnExit();
        }
    }

    private FrameSample toSample(ClipTask task, DecodedClip clip, int index, DecodedClip.SampledFrame frame) {
        FrameSample s = new FrameSample();
        s.key = FrameKeys.of(task.clipId, index);
        s.clipId = task.clipId;
        s.donorPseudonym = task.donorPseudonym;
        s.campaign = task.campaign;
        s.cameraId = task.cameraId;
        s.buildId = buildId;
        s.declaredStaged = task.declaredStaged;
        s.frameIndex = index;
        s.tsMs = frame.tsMs();
        s.width = frame.width();
        s.height = frame.height();
        s.sourceWidth = clip.width();
        s.sourceHeight = clip.height();
        s.jpeg = frame.jpeg();
        s.jpgSha256 = Hashing.sha256Hex(frame.jpeg());
        return s;
    }

    static void describe(ClipRow row, DecodedClip clip) {
        row.setContainer(clip.container());
        row.setVideoCodec(clip.videoCodec());
        row.setDurationS(clip.durationSeconds());
        row.setFps(clip.fps());
        row.setWidth(clip.width());
        row.setHeight(clip.height());
    }
}
