package dev.clipcurate.pipeline.testing;

import org.bytedeco.ffmpeg.global.avcodec;
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

    /** The first {@code fraction} of a file's bytes, as an interrupted upload leaves it. */
    public static Path truncatedCopy(Path source, Path target, double fraction) throws Exception {
        byte[] all = Files.readAllBytes(source);
        Files.write(target, Arrays.copyOf(all, (int) (all.length * fraction)));
        return target;
    }
}
