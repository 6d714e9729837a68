package dev.clipcurate.pipeline.privacy;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.RectVector;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_objdetect.CascadeClassifier;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.bytedeco.opencv.global.opencv_core.flip;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.equalizeHist;

/**
 * The second, independent check run over every anonymised frame: OpenCV's boosted cascades (rectangle and
 * local-binary-pattern features, a different design from the BlazeFace network). A face counts as seen where two
 * cascades agree (IoU &gt; 0.3): Haar frontal "alt2" and "default" for frontal faces, LBP and Haar profile
 * cascades for profiles, both directions. A single cascade fires on textures (bookshelves, badges, dark cloth)
 * often enough to discard good clips; agreement removed those on the demo footage and still caught the small
 * faces BlazeFace missed in the evaluation set (README, privacy figures). Faces inside anonymised boxes do not
 * count: that is where the faces were, nor do hits around them (the head shape around a mosaic). Not
 * thread-safe.
 */
public final class FaceLeakVerifier implements AutoCloseable {
    static final String SHARE = "/org/bytedeco/opencv/linux-x86_64/share/opencv4/";
    static final int MIN_FACE_PX = 20;
    /** Scale step of the whole-frame scans and of the confirming scans (1.2 missed real faces in the evaluation). */
    static final double SCAN_STEP = 1.1;
    static final double CONFIRM_STEP = 1.1;
    public static final String NAME = "opencv cascades, 2 must agree: haar frontalface_default+alt2 | "
            + "haar profileface+lbp profileface, both sides; minSize " + MIN_FACE_PX + " px";

    private final CascadeClassifier frontalDefault;
    private final CascadeClassifier frontalAlt2;
    private final CascadeClassifier profileHaar;
    private final CascadeClassifier profileLbp;

    public FaceLeakVerifier() throws IOException {
        frontalDefault = load("haarcascades/haarcascade_frontalface_default.xml");
        frontalAlt2 = load("haarcascades/haarcascade_frontalface_alt2.xml");
        profileHaar = load("haarcascades/haarcascade_profileface.xml");
        profileLbp = load("lbpcascades/lbpcascade_profileface.xml");
    }

    private static CascadeClassifier load(String name) throws IOException {
        File file = Loader.cacheResource(FaceLeakVerifier.class, SHARE + name);
        CascadeClassifier c = new CascadeClassifier(file.getAbsolutePath());
        if (c.empty()) throw new IOException("cannot load OpenCV cascade " + name);
        return c;
    }

    /** Faces the cascades agree on in a BGR frame, outside the given anonymised boxes. */
    public List<FaceBox> visibleFaces(Mat bgr, List<FaceBox> anonymised) {
        List<FaceBox> found = new ArrayList<>();
        try (Mat gray = new Mat(); Mat mirrored = new Mat()) {
            cvtColor(bgr, gray, COLOR_BGR2GRAY);
            equalizeHist(gray, gray);
            found.addAll(confirmed(detect(frontalAlt2, gray, 5, SCAN_STEP), frontalDefault, 5, gray));
            found.addAll(confirmed(detect(profileLbp, gray, 3, SCAN_STEP), profileHaar, 5, gray));
            flip(gray, mirrored, 1);
            for (FaceBox b : confirmed(detect(profileLbp, mirrored, 3, SCAN_STEP), profileHaar, 5, mirrored)) {
                found.add(new FaceBox(gray.cols() - b.x() - b.w(), b.y(), b.w(), b.h(), b.score()));
            }
        }
        found.removeIf(face -> anonymised.stream().anyMatch(a -> isAnonymisedHead(face, a)));
        return found;
    }

    /**
     * The hits of the cheaper, whole-frame cascade that the second cascade agrees with. The second one only scans
     * a window twice the hit's size around it: it would find the same faces there as in a whole-frame scan, at a
     * fraction of the cost.
     */
    private static List<FaceBox> confirmed(List<FaceBox> hits, CascadeClassifier second, int minNeighbours, Mat gray) {
        List<FaceBox> out = new ArrayList<>();
        for (FaceBox hit : hits) {
            int[] r = hit.scaled(2.0).pixels(gray.cols(), gray.rows());
            if (r == null) continue;
            try (Mat window = new Mat(gray, new Rect(r[0], r[1], r[2], r[3]))) {
                for (FaceBox b : detect(second, window, minNeighbours, CONFIRM_STEP)) {
                    FaceBox inFrame = new FaceBox(b.x() + r[0], b.y() + r[1], b.w(), b.h(), 1f);
                    if (hit.iou(inFrame) > 0.3) {
                        out.add(hit);
                        break;
                    }
                }
            }
        }
        return out;
    }

    /**
     * A hit that lies mostly inside an anonymised box, or that mostly contains one and is at most three times its
     * size, is the anonymised head itself (cascades also fire on the head shape around a mosaic), not a new face.
     */
    static boolean isAnonymisedHead(FaceBox hit, FaceBox anonymised) {
        return coveredFraction(hit, anonymised) > 0.5
                || (coveredFraction(anonymised, hit) > 0.5 && hit.w() <= 3 * anonymised.w());
    }

    static double coveredFraction(FaceBox face, FaceBox cover) {
        return face.intersectionArea(cover) / (face.w() * face.h());
    }

    private static List<FaceBox> detect(CascadeClassifier cascade, Mat gray, int minNeighbours, double scaleStep) {
        List<FaceBox> out = new ArrayList<>();
        try (RectVector hits = new RectVector()) {
            cascade.detectMultiScale(gray, hits, scaleStep, minNeighbours, 0, new Size(MIN_FACE_PX, MIN_FACE_PX), new Size());
            for (long i = 0; i < hits.size(); i++) {
                Rect r = hits.get(i);
                out.add(new FaceBox(r.x(), r.y(), r.width(), r.height(), 1f));
            }
        }
        return out;
    }

    @Override
    public void close() {
        frontalDefault.close();
        frontalAlt2.close();
        profileHaar.close();
        profileLbp.close();
    }
}
