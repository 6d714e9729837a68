package dev.clipcurate.pipeline.scoring.training;

import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;

import java.util.Locale;
import java.util.Random;

import static org.bytedeco.opencv.global.opencv_imgproc.FILLED;
import static org.bytedeco.opencv.global.opencv_imgproc.FONT_HERSHEY_PLAIN;
import static org.bytedeco.opencv.global.opencv_imgproc.FONT_HERSHEY_SIMPLEX;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_8;
import static org.bytedeco.opencv.global.opencv_imgproc.putText;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;

/**
 * What security cameras burn into their frames: a timestamp, a camera name, a maker's logo box. Training copies
 * carry them so that the strong edges of text and boxes are not taken for people (the first model scored a
 * clip with a logo box and a moving bar at 1.0).
 */
final class BurnedInOverlay {
    private BurnedInOverlay() {}

    static void draw(Mat image, Random r) {
        int w = image.cols();
        int h = image.rows();
        double unit = w / 640.0;
        boolean top = r.nextBoolean();
        Scalar text = r.nextBoolean() ? new Scalar(255, 255, 255, 0) : new Scalar(0, 230, 255, 0);
        String stamp = String.format(Locale.ROOT, "2026-%02d-%02d %02d:%02d:%02d", 1 + r.nextInt(12), 1 + r.nextInt(28),
                r.nextInt(24), r.nextInt(60), r.nextInt(60));
        double scale = (0.5 + 0.6 * r.nextDouble()) * unit;
        int x = (int) (8 * unit + r.nextInt(Math.max(1, w / 3)));
        int y = top ? (int) (28 * unit) : h - (int) (12 * unit);
        if (r.nextBoolean()) {
            try (Point a = new Point(x - 4, y - (int) (26 * scale)); Point b = new Point(x + (int) (260 * scale), y + (int) (8 * scale));
                 Scalar black = new Scalar(0, 0, 0, 0)) {
                rectangle(image, a, b, black, FILLED, LINE_8, 0);
            }
        }
        try (Point at = new Point(x, y)) {
            putText(image, stamp, at, FONT_HERSHEY_SIMPLEX, scale, text, Math.max(1, (int) Math.round(2 * unit * r.nextDouble())), LINE_8, false);
        }
        try (Point at = new Point((int) (8 * unit), top ? h - (int) (12 * unit) : (int) (28 * unit))) {
            putText(image, "CAM " + (1 + r.nextInt(8)) + (r.nextBoolean() ? " FRONT DOOR" : " DRIVEWAY"), at,
                    FONT_HERSHEY_PLAIN, (1 + r.nextDouble()) * unit, text, 1, LINE_8, false);
        }
        if (r.nextBoolean()) {
            int bw = (int) (w * (0.1 + 0.15 * r.nextDouble()));
            int bh = (int) (h * (0.05 + 0.07 * r.nextDouble()));
            int bx = w - bw - (int) (8 * unit);
            int by = top ? h - bh - (int) (8 * unit) : (int) (8 * unit);
            int grey = 150 + r.nextInt(106);
            try (Point a = new Point(bx, by); Point b = new Point(bx + bw, by + bh); Scalar c = new Scalar(grey, grey, grey, 0)) {
                rectangle(image, a, b, c, FILLED, LINE_8, 0);
            }
        }
        text.close();
    }
}
