package dev.clipcurate.pipeline.testing;

import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.FILLED;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;

/** Generates small real video files for edge cases: a moving box on a gradient, encoded by FFmpeg. */
public final class TestClips {
    private TestClips() {}

    public static Path write(Path file, int width, int height, double fps, double seconds) throws Exception {
        String name = file.getFileName().toString();
        String format = name.endsWith(".avi") ? "avi" : name.endsWith(".mkv") ? "matroska" : "mp4";
        try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), width, height, 0);
             OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat()) {
            recorder.setFormat(format);
            recorder.setVideoCodec(avcodec.AV_CODEC_ID_MPEG4);
            recorder.setFrameRate(fps);
            recorder.setVideoBitrate(400_000);
            recorder.start();
            int frames = (int) Math.round(fps * seconds);
            for (int i = 0; i < frames; i++) {
                try (Mat image = new Mat(height, width, CV_8UC3, new Scalar(40 + (i * 3) % 180, 90, 140, 0))) {
                    int x = (int) ((width - 40) * (i / (double) Math.max(1, frames - 1)));
                    rectangle(image, new Point(x, height / 3), new Point(x + 40, height / 3 + 40),
                            new Scalar(250, 250, 250, 0), FILLED, 8, 0);
                    Frame frame = converter.convert(image);
                    recorder.record(frame);
                }
            }
            recorder.stop();
        }
        return file;
    }

    /** A clip of a real photo seen through a window that pans from left to right, as a moving camera would. */
    public static Path panning(Path file, Path photo, int width, int height, double fps, double seconds) throws Exception {
        try (Mat image = org.bytedeco.opencv.global.opencv_imgcodecs.imread(photo.toString());
             FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), width, height, 0);
             OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat()) {
            recorder.setFormat("mp4");
            recorder.setVideoCodec(avcodec.AV_CODEC_ID_MPEG4);
            recorder.setFrameRate(fps);
            recorder.setVideoBitrate(2_000_000);
            recorder.start();
            int frames = (int) Math.round(fps * seconds);
            for (int i = 0; i < frames; i++) {
                int x = (int) ((image.cols() - width) * (i / (double) Math.max(1, frames - 1)));
                try (Mat window = new Mat(image, new org.bytedeco.opencv.opencv_core.Rect(x, 0, width, height)).clone()) {
                    recorder.record(converter.convert(window));
                }
            }
            recorder.stop();
        }
        return file;
    }

    /**
     * A re-encoded copy of part of a real clip, as a donor's second upload or app export makes it: the seconds
     * [{@code fromS}, {@code toS}) of {@code source}, optionally mirrored, with {@code keep} of each side (1 = no
     * crop; the crop is centred), scaled by {@code scale}, MPEG-4 in the target's container.
     */
    public static Path variant(Path source, Path target, double fromS, double toS, boolean mirror, double keep,
                               double scale) throws Exception {
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(source.toFile());
             OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat()) {
            grabber.start();
            int cropW = (int) Math.round(grabber.getImageWidth() * keep), cropH = (int) Math.round(grabber.getImageHeight() * keep);
            int outW = (int) Math.round(cropW * scale) / 2 * 2, outH = (int) Math.round(cropH * scale) / 2 * 2;
            String name = target.getFileName().toString();
            try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(target.toFile(), outW, outH, 0)) {
                recorder.setFormat(name.endsWith(".avi") ? "avi" : name.endsWith(".mkv") ? "matroska" : "mp4");
                recorder.setVideoCodec(avcodec.AV_CODEC_ID_MPEG4);
                recorder.setFrameRate(grabber.getFrameRate());
                recorder.setVideoBitrate(1_000_000);
                recorder.start();
                for (Frame frame; (frame = grabber.grabImage()) != null; ) {
                    double t = grabber.getTimestamp() / 1e6;
                    if (t < fromS) continue;
                    if (t >= toS) break;
                    try (Mat image = converter.convert(frame).clone();
                         Mat cropped = new Mat(image, new org.bytedeco.opencv.opencv_core.Rect(
                                 (image.cols() - cropW) / 2, (image.rows() - cropH) / 2, cropW, cropH));
                         Mat sized = new Mat(); Mat out = new Mat()) {
                        org.bytedeco.opencv.global.opencv_imgproc.resize(cropped, sized,
                                new org.bytedeco.opencv.opencv_core.Size(outW, outH));
                        if (mirror) org.bytedeco.opencv.global.opencv_core.flip(sized, out, 1);
                        else sized.copyTo(out);
                        recorder.record(converter.convert(out));
                    }
                }
                recorder.stop();
            }
            grabber.stop();
        }
        return target;
    }

    /**
     * A still clip of one real frame: frame {@code frameIndex} of {@code source}, the rectangle (x, y, w, h) of it
     * scaled to {@code outW}×{@code outH} (as a camera closer to the scene sees it), held for {@code seconds} at
     * 10 fps, MPEG-4. The same frame throughout, so boxes drawn on it by hand hold for every sampled frame.
     */
    public static Path stillCrop(Path source, Path target, int frameIndex, int x, int y, int w, int h, int outW, int outH,
                                 double seconds) throws Exception {
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(source.toFile());
             OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat()) {
            grabber.start();
            Frame frame = null;
            for (int i = 0; i <= frameIndex; i++) frame = grabber.grabImage();
            try (Mat image = converter.convert(frame).clone();
                 Mat cropped = new Mat(image, new org.bytedeco.opencv.opencv_core.Rect(x, y, w, h));
                 Mat sized = new Mat();
                 FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(target.toFile(), outW, outH, 0)) {
                org.bytedeco.opencv.global.opencv_imgproc.resize(cropped, sized,
                        new org.bytedeco.opencv.opencv_core.Size(outW, outH), 0, 0,
                        org.bytedeco.opencv.global.opencv_imgproc.INTER_CUBIC);
                recorder.setFormat("mp4");
                recorder.setVideoCodec(avcodec.AV_CODEC_ID_MPEG4);
                recorder.setFrameRate(10);
                recorder.setVideoBitrate(4_000_000);
                recorder.start();
                for (int i = 0; i < Math.round(seconds * 10); i++) recorder.record(converter.convert(sized));
                recorder.stop();
            }
            grabber.stop();
        }
        return target;
    }

    /** The first {@code fraction} of a file's bytes, as an interrupted upload leaves it. */
    public static Path truncatedCopy(Path source, Path target, double fraction) throws Exception {
        byte[] all = Files.readAllBytes(source);
        Files.write(target, Arrays.copyOf(all, (int) (all.length * fraction)));
        return target;
    }
}
