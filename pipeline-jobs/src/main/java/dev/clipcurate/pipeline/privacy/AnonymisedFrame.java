package dev.clipcurate.pipeline.privacy;

/**
 * One sampled frame as the privacy stage wrote it: a JPEG in which every bystander's face and head is masked and
 * the verifier saw no face outside the masks. What may travel between operators instead of raw frames.
 */
public class AnonymisedFrame {
    public long tsMs;
    public int width;
    public int height;
    public byte[] jpeg;
    /** People seen in the frame (a face inside a head counts once), and boxes masked (tracking adds some). */
    public int facesDetected;
    public int boxesAnonymised;
    /** The people the pose model found, as labels. */
    public dev.clipcurate.pipeline.media.ObjectDetection[] detections;

    public AnonymisedFrame() {}

    public AnonymisedFrame(long tsMs, int width, int height, byte[] jpeg, int facesDetected, int boxesAnonymised,
                           dev.clipcurate.pipeline.media.ObjectDetection[] detections) {
        this.tsMs = tsMs;
        this.width = width;
        this.height = height;
        this.jpeg = jpeg;
        this.facesDetected = facesDetected;
        this.boxesAnonymised = boxesAnonymised;
        this.detections = detections;
    }
}
