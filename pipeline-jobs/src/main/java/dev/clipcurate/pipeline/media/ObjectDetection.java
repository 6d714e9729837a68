package dev.clipcurate.pipeline.media;

/**
 * One object a model found in a written frame, in the written frame's pixels: what a frame's labels carry as a
 * pre-annotation for training. {@code keypoints}: for a person, the 17 COCO keypoints (nose, eyes, ears,
 * shoulders, elbows, wrists, hips, knees, ankles) as x, y, score triplets; null for other classes.
 */
public class ObjectDetection {
    public String label;
    public float x;
    public float y;
    public float w;
    public float h;
    public float score;
    public float[] keypoints;

    public ObjectDetection() {}

    public ObjectDetection(String label, float x, float y, float w, float h, float score, float[] keypoints) {
        this.label = label;
        this.x = x;
        this.y = y;
        this.w = w;
        this.h = h;
        this.score = score;
        this.keypoints = keypoints;
    }
}
