package dev.clipcurate.pipeline.media;

import dev.clipcurate.pipeline.common.InfrastructureFailure;
import dev.clipcurate.pipeline.intake.ClipRejected;
import dev.clipcurate.pipeline.intake.RejectReason;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOInterruptCB;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/**
 * Decodes one clip file with FFmpeg and samples frames by presentation time. Untrusted input: only file
 * protocol and video container demuxers are allowed, sizes and duration are checked before and during
 * decoding, and decoding stops when its time budget is spent. Not thread-safe: one instance per thread.
 */
public final class ClipDecoder {
    /** Demuxers for video containers; FFmpeg would otherwise "decode" text (tty), images and playlists. */
    static final String CONTAINER_WHITELIST =
            "mov,mp4,m4a,3gp,3g2,mj2,avi,matroska,webm,mpegts,flv,mpeg,mpegvideo,h264,hevc,m4v,asf,ogg,mxf";
    private static final Set<String> IMAGE_OR_TEXT_FORMATS = Set.of("image2", "tty", "png_pipe", "jpeg_pipe");

    /** Deadline (System.nanoTime) of the clip the current thread decodes; read by FFmpeg's interrupt callback. */
    private static final ThreadLocal<long[]> DEADLINE = ThreadLocal.withInitial(() -> new long[] {Long.MAX_VALUE});

    /**
     * FFmpeg asks this between reads and gives up (AVERROR_EXIT) once it returns 1, so a read that stalls cannot
     * outlive the time budget. One shared instance: JavaCPP has a small fixed pool of callback thunks.
     */
    private static final AVIOInterruptCB.Callback_Pointer INTERRUPT_AT_DEADLINE = new AVIOInterruptCB.Callback_Pointer() {
        @Override
        public int call(Pointer opaque) {
            return System.nanoTime() > DEADLINE.get()[0] ? 1 : 0;
        }
    };

    static {
        avutil.av_log_set_level(avutil.AV_LOG_FATAL);
        INTERRUPT_AT_DEADLINE.retainReference();
    }

    private final DecodeLimits limits;

    public ClipDecoder(DecodeLimits limits) {
        this.limits = limits;
    }

    /**
     * Receives each sampled frame: BGR, long side capped; the Mat is valid only during the call, and is not to be
     * modified (another consumer of the same pass may be given the same Mat).
     */
    public interface SampledFrameVisitor {
        void accept(int index, long tsMs, Mat image) throws Exception;
    }

    /** Decodes and keeps every sampled frame as JPEG. */
    public DecodedClip decode(File file) throws ClipRejected {
        List<DecodedClip.SampledFrame> frames = new ArrayList<>();
        DecodedClip clip = decode(file, (index, tsMs, image) ->
                frames.add(new DecodedClip.SampledFrame(tsMs, image.cols(), image.rows(),
                        JpegEncoder.encode(image, limits.jpegQuality()))));
        return new DecodedClip(clip.container(), clip.videoCodec(), clip.durationSeconds(), clip.fps(),
                clip.width(), clip.height(), frames);
    }

    /**
     * Decodes a clip and hands each sampled frame to {@code visitor}, in order, at the limits' rate and long side.
     */
    public DecodedClip decode(File file, SampledFrameVisitor visitor) throws ClipRejected {
        return decode(file, List.of(new Sampling(limits.sampleFps(), limits.maxLongSide(), visitor)));
    }

    /** One consumer of a decoding pass: the frames at its rate, with their long side capped at its size. */
    public record Sampling(double fps, int maxLongSide, SampledFrameVisitor visitor) {
        public Sampling {
            if (!(fps > 0)) throw new IllegalArgumentException("sample rate must be > 0 frames per second");
            if (maxLongSide < 16) throw new IllegalArgumentException("max long side must be at least 16 px");
        }
    }

    /**
     * Decodes a clip once for several consumers: each gets the frames of its own sampling, in order, numbered from 0.
     * A frame two consumers sample at the same size is converted and scaled once and given to both.
     */
    public DecodedClip decode(File file, List<Sampling> samplings) throws ClipRejected {
        long started = System.nanoTime();
        long budgetNanos = (long) (limits.decodeBudgetSeconds() * 1e9);
        try (PointerScope scope = new PointerScope();
             FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file);
             OpenCVFrameConverter.ToMat toMat = new OpenCVFrameConverter.ToMat()) {
            grabber.setOption("protocol_whitelist", "file");
            grabber.setOption("format_whitelist", CONTAINER_WHITELIST);
            grabber.setOption("probesize", "10000000");
            grabber.setOption("analyzeduration", "10000000");
            grabber.setVideoOption("threads", Integer.toString(limits.decoderThreads()));
            grabber.setVideoOption("max_pixels", Long.toString((long) limits.maxWidth() * limits.maxHeight()));
            try {
                grabber.startUnsafe();
            } catch (Exception e) {
                String container = ContainerSniffer.sniff(file.toPath());
                if (container != null) {
                    throw new ClipRejected(RejectReason.UNDECODABLE_VIDEO, "the file starts like a " + container
                            + " video but FFmpeg cannot open it (damaged or truncated)");
                }
                throw new ClipRejected(RejectReason.NOT_A_VIDEO, "not a supported video container");
            }
            DEADLINE.get()[0] = started + budgetNanos;
            grabber.getFormatContext().interrupt_callback().callback(INTERRUPT_AT_DEADLINE);
            String format = grabber.getFormat();
            if (!grabber.hasVideo() || grabber.getImageWidth() <= 0 || IMAGE_OR_TEXT_FORMATS.contains(format)) {
                throw new ClipRejected(RejectReason.NOT_A_VIDEO, "no video stream (container " + format + ")");
            }
            int width = grabber.getImageWidth();
            int height = grabber.getImageHeight();
            if (width > limits.maxWidth() || height > limits.maxHeight()) {
                throw new ClipRejected(RejectReason.RESOLUTION_OVER_LIMIT, width + "x" + height
                        + " is over the limit " + limits.maxWidth() + "x" + limits.maxHeight());
            }
            double declaredSeconds = grabber.getLengthInTime() / 1e6;
            long declaredFrames = declaredVideoFrames(grabber);
            if (declaredSeconds > limits.maxDurationSeconds()) {
                throw new ClipRejected(RejectReason.DURATION_OVER_LIMIT, String.format(
                        "%.1f s is over the limit of %.0f s", declaredSeconds, limits.maxDurationSeconds()));
            }

            int consumers = samplings.size();
            long[] intervalUs = new long[consumers];
            long[] nextSampleUs = new long[consumers];
            int[] sampledBy = new int[consumers];
            for (int c = 0; c < consumers; c++) intervalUs[c] = Math.round(1e6 / samplings.get(c).fps());
            long maxUs = (long) (limits.maxDurationSeconds() * 1e6);
            long firstTs = Long.MIN_VALUE;
            long lastTs = 0;
            int decoded = 0;
            long visitorNanos = 0;
            while (true) {
                Frame frame;
                try {
                    frame = grabber.grabImage();
                } catch (Exception e) {
                    if (decoded == 0) throw new ClipRejected(RejectReason.UNDECODABLE_VIDEO, shortMessage(e));
                    throw new ClipRejected(RejectReason.TRUNCATED_VIDEO,
                            "decoding failed after " + decoded + " frames: " + shortMessage(e));
                }
                if (frame == null) break;
                checkBudget(started + visitorNanos, budgetNanos);
                if (frame.image == null) continue;
                decoded++;
                long ts = frame.timestamp;
                if (firstTs == Long.MIN_VALUE) firstTs = ts;
                long rel = Math.max(0, ts - firstTs);
                lastTs = Math.max(lastTs, rel);
                if (rel > maxUs) {
                    throw new ClipRejected(RejectReason.DURATION_OVER_LIMIT,
                            "stream runs past the limit of " + (long) limits.maxDurationSeconds() + " s");
                }
                if (frame.imageWidth > limits.maxWidth() || frame.imageHeight > limits.maxHeight()) {
                    throw new ClipRejected(RejectReason.RESOLUTION_OVER_LIMIT, "a frame of " + frame.imageWidth + "x"
                            + frame.imageHeight + " is over the limit");
                }
                boolean wanted = false;
                for (int c = 0; c < consumers; c++) wanted |= rel >= nextSampleUs[c];
                if (wanted) {
                    long visitStarted = System.nanoTime();
                    Mat full = toMat.convert(frame);
                    int scaledTo = -1;
                    Mat scaled = null;
                    try {
                        for (int c = 0; c < consumers; c++) {
                            if (rel < nextSampleUs[c]) continue;
                            Sampling sampling = samplings.get(c);
                            if (scaled == null || scaledTo != sampling.maxLongSide()) {
                                if (scaled != null) scaled.close();
                                scaled = capLongSide(full, sampling.maxLongSide());
                                scaledTo = sampling.maxLongSide();
                            }
                            try {
                                sampling.visitor().accept(sampledBy[c]++, rel / 1000, scaled);
                            } catch (ClipRejected | InfrastructureFailure e) {
                                throw e;
                            } catch (Exception e) {
                                throw new ClipRejected(RejectReason.PROCESSING_ERROR,
                                        "frame " + (sampledBy[c] - 1) + " could not be processed: " + shortMessage(e));
                            }
                            while (nextSampleUs[c] <= rel) nextSampleUs[c] += intervalUs[c];
                        }
                    } finally {
                        if (scaled != null) scaled.close();
                    }
                    // the budget bounds decoding, not what the callers do with a frame (face detection)
                    visitorNanos += System.nanoTime() - visitStarted;
                    DEADLINE.get()[0] = started + visitorNanos + budgetNanos;
                }
            }
            checkBudget(started + visitorNanos, budgetNanos);
            if (decoded == 0) throw new ClipRejected(RejectReason.UNDECODABLE_VIDEO, "no frame could be decoded");
            double fps = grabber.getFrameRate();
            double decodedSeconds = lastTs / 1e6 + (fps > 0 ? 1.0 / fps : 0);
            // AVI headers count dropped-frame chunks too, so compare time spans, not frame counts
            double headerSeconds = declaredFrames > 0 && fps > 0 ? declaredFrames / fps : 0;
            double expectedSeconds = Math.max(declaredSeconds, headerSeconds);
            if (expectedSeconds > 0 && decodedSeconds < expectedSeconds - Math.max(1.0, 0.05 * expectedSeconds)) {
                throw new ClipRejected(RejectReason.TRUNCATED_VIDEO, String.format(
                        "the container declares %.1f s but only %.1f s could be decoded", expectedSeconds, decodedSeconds));
            }
            String codec = grabber.getVideoCodecName();
            return new DecodedClip(format, codec, declaredSeconds > 0 ? declaredSeconds : decodedSeconds, fps,
                    width, height, List.of());
        } catch (ClipRejected | InfrastructureFailure e) {
            throw e;
        } catch (Exception e) {
            throw new ClipRejected(RejectReason.UNDECODABLE_VIDEO, shortMessage(e));
        } finally {
            DEADLINE.get()[0] = Long.MAX_VALUE;
        }
    }

    private void checkBudget(long decodingStarted, long budgetNanos) throws ClipRejected {
        if (System.nanoTime() - decodingStarted > budgetNanos) {
            throw new ClipRejected(RejectReason.DECODE_TIMEOUT, String.format(
                    "decoding took longer than %.0f s", limits.decodeBudgetSeconds()));
        }
    }

    /** The frame count the container's stream header claims (AVI, MP4 do), or 0 when it gives none. */
    private static long declaredVideoFrames(FFmpegFrameGrabber grabber) {
        AVFormatContext oc = grabber.getFormatContext();
        for (int i = 0; i < oc.nb_streams(); i++) {
            AVStream stream = oc.streams(i);
            if (stream.codecpar().codec_type() == avutil.AVMEDIA_TYPE_VIDEO) return Math.max(0, stream.nb_frames());
        }
        return 0;
    }

    /** The frame with its long side capped, as a new Mat (the converter's Mat is reused by the next grab). */
    private static Mat capLongSide(Mat image, int maxLongSide) {
        int w = image.cols();
        int h = image.rows();
        int longSide = Math.max(w, h);
        Mat out = new Mat();
        if (longSide > maxLongSide) {
            double scale = (double) maxLongSide / longSide;
            resize(image, out, new Size(Math.max(1, (int) Math.round(w * scale)), Math.max(1, (int) Math.round(h * scale))),
                    0, 0, INTER_AREA);
        } else {
            image.copyTo(out);
        }
        return out;
    }

    /** javacv's messages quote the file path and suggest API calls; keep the reason only. */
    static String shortMessage(Exception e) {
        String m = e.getMessage();
        if (m == null) return e.getClass().getSimpleName();
        m = m.replaceAll("\"[^\"]*\"", "").replaceAll("\\(For more details[^)]*\\)", "")
                .replaceAll("\\(Has setFormat[^)]*\\)", "").replaceAll("\\s+", " ").trim();
        return m.length() > 200 ? m.substring(0, 200) : m;
    }
}
