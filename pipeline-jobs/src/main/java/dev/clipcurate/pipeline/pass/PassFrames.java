package dev.clipcurate.pipeline.pass;

import dev.clipcurate.pipeline.media.HeldFrame;
import dev.clipcurate.pipeline.privacy.ClipAnonymiser;
import dev.clipcurate.pipeline.privacy.HeadDetector;
import org.bytedeco.opencv.opencv_core.Mat;

import java.util.ArrayDeque;

/**
 * A clip's sampled frames on their way to the privacy stage while the clip's score is not known: held (their
 * pixels, and the people the head detector found in them for scoring) until {@link #finish} says the clip is worth anonymising, or {@link #drop} that it is not. Past
 * {@link #MAX_HELD} frames the privacy work starts without waiting (and is wasted if the clip then scores low):
 * memory stays bounded whatever the clip's length.
 */
final class PassFrames {
    /** 32 s at 2 fps: 59 MB of 640×480 frames. Doorbell and dashcam clips are mostly shorter. */
    static final int MAX_HELD = 64;
    private final ClipAnonymiser.Pass privacy;
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private boolean started;

    PassFrames(ClipAnonymiser.Pass privacy) {
        this.privacy = privacy;
    }

    private record Held(HeldFrame frame, HeadDetector.People people) {}

    void add(int index, long tsMs, Mat image, HeadDetector.People people) {
        HeldFrame frame = HeldFrame.copyOf(index, tsMs, image);
        if (!started && held.size() < MAX_HELD) {
            held.add(new Held(frame, people));
            return;
        }
        release();
        privacy.add(frame, people);
    }

    /** The clip is worth anonymising: every frame through the privacy stage. */
    ClipAnonymiser.Outcome finish() {
        release();
        return privacy.finish();
    }

    /** The clip is not: its frames are dropped. */
    void drop() {
        held.clear();
    }

    private void release() {
        started = true;
        while (!held.isEmpty()) {
            Held next = held.poll();
            privacy.add(next.frame(), next.people());
        }
    }
}
