package dev.clipcurate.pipeline.evaluation;

import dev.clipcurate.pipeline.privacy.FaceBox;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgproc.FILLED;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_CUBIC;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/**
 * The privacy evaluation set: frames with head boxes, by kind, made from files scripts/fetch-samples and
 * scripts/fetch-face-eval fetch and pin. No public set with head boxes for profiles and turned-away heads could be
 * fetched here, so the head boxes (hair to chin, ear to ear) were drawn by hand for this project, by looking at the
 * frames; the Solvay boxes are ViSP's (faces, not heads). "Partly hidden" frames are made here: a grey board is
 * painted over the lower half of each frontal face. Which frames shaped the design is said in docs/privacy-eval.md.
 */
public final class PrivacyEvalSet {
    /** SMALL: heads of 16-30 px in a street scene; CROWD: the Solvay photo's 20-28 px faces (face boxes, not heads). */
    public enum Kind { FRONTAL, PROFILE, TURNED_AWAY, PARTLY_HIDDEN, SMALL, CROWD }

    /** One frame and its heads of one kind. {@code tuning}: the frame shaped the design. */
    public record Scene(String name, Kind kind, boolean tuning, Mat frame, List<FaceBox> heads) {}

    private PrivacyEvalSet() {}

    /** Every scene; frames are at most 640 px on the long side, as the decoder gives them. */
    public static List<Scene> load(Path samples, Path faceEval) throws Exception {
        try (Mat street = streetFrame(samples)) {
            return load(samples, faceEval, street);
        }
    }

    private static List<Scene> load(Path samples, Path faceEval, Mat street) throws Exception {
        List<Scene> scenes = new ArrayList<>();
        scenes.add(photo(samples, "messi5.jpg", Kind.FRONTAL, false, box(210, 65, 55, 62)));
        scenes.add(photo(samples, "faces.jpg", Kind.FRONTAL, false,
                box(45, 58, 100, 140), box(212, 85, 118, 155), box(448, 22, 117, 138)));
        scenes.add(photo(samples, "basketball1.png", Kind.FRONTAL, false, box(62, 86, 42, 58)));
        // the same frame: a man turned away from the camera, face hidden, ear and cheek in profile
        scenes.add(photo(samples, "basketball1.png", Kind.TURNED_AWAY, false, box(510, 20, 102, 102)));
        // vtest.avi frame 260, parts of it scaled to 640x480 as a closer camera would see them (HeadDetectorTest)
        scenes.add(streetCrop(street, "vtest 260 walking left", Kind.PROFILE, true, new int[] {440, 180, 240, 180},
                box(262, 168, 38, 38)));
        scenes.add(streetCrop(street, "vtest 260 back half turned", Kind.TURNED_AWAY, true,
                new int[] {420, 140, 200, 150}, box(230, 118, 32, 34)));
        for (Scene frontal : List.copyOf(scenes)) {
            if (frontal.kind() != Kind.FRONTAL) continue;
            Mat hidden = frontal.frame().clone();
            for (FaceBox head : frontal.heads()) {
                // a board over the mouth and nose: the lower 45 % of the head, as a parcel or a hand would
                int y = (int) Math.round(head.y() + 0.55 * head.h());
                rectangle(hidden, new Rect((int) head.x() - 4, y, (int) head.w() + 8, (int) Math.round(0.45 * head.h()) + 4),
                        new Scalar(128, 128, 128, 0), FILLED, 8, 0);
            }
            scenes.add(new Scene(frontal.name() + " board over the lower face", Kind.PARTLY_HIDDEN, false, hidden,
                    frontal.heads()));
        }
        // the same frame's middle, 384x288 scaled to 640x480: five people with heads of 17-23 px, one facing the camera
        scenes.add(streetCrop(street, "vtest 260 five people", Kind.SMALL, false, new int[] {300, 110, 384, 288},
                box(60, 170, 19, 22), box(320, 109, 18, 22), box(404, 221, 18, 23), box(545, 26, 17, 21),
                box(574, 39, 18, 18)));
        scenes.add(solvay(faceEval));
        return scenes;
    }

    private static FaceBox box(double x, double y, double w, double h) {
        return new FaceBox(x, y, w, h, 1f);
    }

    private static Scene photo(Path samples, String name, Kind kind, boolean tuning, FaceBox... heads) {
        Path file = samples.resolve(name);
        if (!Files.exists(file)) throw new IllegalArgumentException(file + " is missing: run scripts/fetch-samples");
        return new Scene(name, kind, tuning, imread(file.toString()), List.of(heads));
    }

    /** Frame 260 of vtest.avi, the street camera, decoded once for all the scenes cut from it. */
    private static Mat streetFrame(Path samples) throws Exception {
        Path file = samples.resolve("vtest.avi");
        if (!Files.exists(file)) throw new IllegalArgumentException(file + " is missing: run scripts/fetch-samples");
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file.toFile());
             OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat()) {
            grabber.start();
            Frame frame = null;
            for (int i = 0; i <= 260; i++) frame = grabber.grabImage();
            Mat image = converter.convert(frame).clone();
            grabber.stop();
            return image;
        }
    }

    /** A part (x, y, w, h) of the street frame scaled to 640x480, as a camera closer to the scene sees it. */
    private static Scene streetCrop(Mat street, String name, Kind kind, boolean tuning, int[] crop, FaceBox... heads) {
        Mat out = new Mat();
        try (Mat cropped = new Mat(street, new Rect(crop[0], crop[1], crop[2], crop[3]))) {
            resize(cropped, out, new Size(640, 480), 0, 0, INTER_CUBIC);
        }
        return new Scene(name, kind, tuning, out, List.of(heads));
    }

    /** The 1927 Solvay photo at half size (640 px wide, as the decoder caps frames): 29 faces of 20-28 px. */
    private static Scene solvay(Path faceEval) throws Exception {
        List<FaceBox> truth = SolvayTruth.read(faceEval.resolve("ground_truth_detection.txt"));
        Path file = faceEval.resolve("1280px-Solvay_conference_1927.png");
        Mat half = new Mat();
        try (Mat full = imread(file.toString())) {
            resize(full, half, new Size(), 0.5, 0.5, INTER_AREA);
        }
        return new Scene("Solvay 1927, half size", Kind.CROWD, true, half,
                truth.stream().map(b -> box(b.x() / 2, b.y() / 2, b.w() / 2, b.h() / 2)).toList());
    }
}
