package dev.clipcurate.pipeline.scoring.training;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.RectVector;
import org.bytedeco.opencv.opencv_objdetect.HOGDescriptor;

import java.util.ArrayList;
import java.util.List;

/**
 * The teacher that labels training frames: OpenCV's built-in HOG + linear SVM people detector (Dalal-Triggs,
 * trained on INRIA Person), shipped inside the OpenCV native library the project already uses. Slow
 * (about 0.4 s per 768x576 frame), which is why it teaches a small model instead of running in the job.
 */
final class HogTeacher implements AutoCloseable {
    /** A person's window in pixels of the frame given to {@link #people}. */
    record Box(double x, double y, double w, double h) {
        Box scaled(double f) {
            return new Box(x * f, y * f, w * f, h * f);
        }

        Box mirrored(double frameWidth) {
            return new Box(frameWidth - x - w, y, w, h);
        }

        double iou(Box o) {
            double ix = Math.max(0, Math.min(x + w, o.x + o.w) - Math.max(x, o.x));
            double iy = Math.max(0, Math.min(y + h, o.y + o.h) - Math.max(y, o.y));
            double inter = ix * iy;
            return inter / (w * h + o.w * o.h - inter);
        }
    }

    private final HOGDescriptor hog = new HOGDescriptor();
    private final Mat detector;

    HogTeacher() {
        detector = new Mat(HOGDescriptor.getDefaultPeopleDetector());
        hog.setSVMDetector(detector);
    }

    List<Box> people(Mat bgr) {
        List<Box> boxes = new ArrayList<>();
        try (RectVector found = new RectVector(); DoublePointer weights = new DoublePointer()) {
            hog.detectMultiScale(bgr, found, weights);
            for (long i = 0; i < found.size(); i++) {
                Rect r = found.get(i);
                boxes.add(new Box(r.x(), r.y(), r.width(), r.height()));
            }
        }
        return boxes;
    }

    @Override
    public void close() {
        hog.close();
        detector.close();
    }
}
