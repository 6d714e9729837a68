package dev.clipcurate.pipeline.privacy;

import dev.clipcurate.pipeline.common.Hashing;
import dev.clipcurate.pipeline.intake.ClipRejected;
import dev.clipcurate.pipeline.intake.RejectReason;
import dev.clipcurate.pipeline.media.ClipDecoder;
import dev.clipcurate.pipeline.media.DecodeLimits;
import dev.clipcurate.pipeline.media.HeldFrame;
import dev.clipcurate.pipeline.media.JpegEncoder;
import dev.clipcurate.pipeline.media.ObjectDetection;

import org.bytedeco.opencv.opencv_core.Mat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;


/**
 * Anonymises one clip's sampled frames as they are decoded ({@link #start}, fed by the job's one decoding pass, or
 * {@link #anonymise} for a file on its own): faces and heads are found in each sampled frame as it arrives,
 * tracking adds boxes from the neighbouring frames (a few frames are held back until those are searched), then
 * the independent verifier checks what each frame will show outside its masks, and the frame is anonymised and
 * encoded. Frames in which the verifier sees a face outside the masks are never written. Deterministic: the same
 * file gives the same bytes (the noise is seeded by clip id and frame). Not thread-safe.
 */
public final class ClipAnonymiser implements AutoCloseable {
    private final ClipDecoder decoder;
    private final BlazeFaceDetector detector;
    private final HeadDetector heads;
    private final FaceLeakVerifier verifier;
    private final Anonymiser anonymiser;
    private final FaceTracker tracker;
    private final double faceEnlarge;
    private final int jpegQuality;
    /** A head box from the pose model is a head already: a margin for keypoints that are a little off. */
    public static final double HEAD_MARGIN = 1.1;
    /** Nanoseconds spent so far in faces, heads, mask + JPEG, verify: what the benchmark's cost table shows. */
    private final long[] spent = new long[4];
    public static final int FACES = 0, HEADS = 1, MASK_AND_JPEG = 2, VERIFY = 3;

    /**
     * The anonymised frames (with their counts and people), the boxes anonymised in each frame, and how many frames
     * the verifier rejected.
     */
    public record Outcome(List<AnonymisedFrame> frames, List<List<FaceBox>> boxes, int leakFrames, long firstLeakMs) {}

    public ClipAnonymiser(DecodeLimits limits, PrivacySettings privacy) throws Exception {
        this.decoder = new ClipDecoder(limits);
        this.detector = new BlazeFaceDetector(privacy.faceThreshold());
        this.heads = new HeadDetector(privacy.headThreshold());
        this.verifier = new FaceLeakVerifier();
        this.anonymiser = new Anonymiser(privacy.mode());
        this.tracker = privacy.tracker();
        this.faceEnlarge = privacy.enlarge();
        this.jpegQuality = limits.jpegQuality();
    }

    /** Decodes a file on its own and anonymises it: for tests and tools; the job feeds {@link #start} instead. */
    public Outcome anonymise(File file, ConsentedRegions consented, String clipId) throws ClipRejected {
        Pass pass = start(consented, clipId);
        decoder.decode(file, pass::add);
        return pass.finish();
    }

    /** A pass over one clip: give it the clip's sampled frames in order, then {@link Pass#finish}. */
    public Pass start(ConsentedRegions consented, String clipId) {
        return new Pass(consented, Hashing.sha256Hex(clipId.getBytes(StandardCharsets.UTF_8)).hashCode());
    }

    /**
     * One decoding pass: each sampled frame is searched for faces and heads as it arrives and kept (its pixels) until
     * the frames tracking looks at around it have been searched too ({@link FaceTracker#reach()} ahead); then its
     * masks are final, and it is verified, anonymised and encoded, and its pixels dropped. At most reach + 1 frames
     * are held at once.
     */
    public final class Pass {
        private final ConsentedRegions consented;
        private final long seed;
        private final int reach = tracker.reach();
        private final List<List<FaceBox>> detections = new ArrayList<>();
        private final List<Integer> people = new ArrayList<>();
        private final java.util.ArrayDeque<HeldFrame> held = new java.util.ArrayDeque<>();
        private final List<AnonymisedFrame> frames = new ArrayList<>();
        private final List<List<FaceBox>> masks = new ArrayList<>();
        private final List<List<ObjectDetection>> personsSeen = new ArrayList<>();
        private long leaks;
        private long firstLeakMs = -1;

        private Pass(ConsentedRegions consented, long seed) {
            this.consented = consented;
            this.seed = seed;
        }

        /** The next sampled frame (index counts from 0); the Mat is only read. */
        public void add(int index, long tsMs, Mat image) {
            add(HeldFrame.copyOf(index, tsMs, image));
        }

        /** The next sampled frame, held already (its pixels are not copied again). */
        public void add(HeldFrame frame) {
            add(frame, frame.withMat(ClipAnonymiser.this::people));
        }

        /**
         * The next sampled frame, held already, with the people the head detector found in it: the job's pass runs
         * the detector once per frame, for scoring first, and gives its result here.
         */
        public void add(HeldFrame frame, HeadDetector.People seen) {
            Searched searched = frame.withMat(image -> search(image, seen));
            Found found = searched.found().bystanders(consented, frame.tsMs(), frame.width(), frame.height());
            personsSeen.add(searched.persons());
            people.add(found.people());
            detections.add(found.masks(faceEnlarge));
            held.add(frame);
            while (!held.isEmpty() && held.peek().index() + reach < detections.size()) write(held.poll());
        }

        public Outcome finish() {
            while (!held.isEmpty()) write(held.poll());
            return new Outcome(frames, masks, (int) leaks, firstLeakMs);
        }

        private void write(HeldFrame frame) {
            // tracking over the frames within reach gives this frame's boxes as over the whole clip would
            int from = Math.max(0, frame.index() - reach);
            int to = Math.min(detections.size(), frame.index() + reach + 1);
            List<FaceBox> frameBoxes = tracker.boxesToAnonymise(detections.subList(from, to)).get(frame.index() - from);
            masks.add(frameBoxes);
            byte[] jpeg = frame.withMat(image -> {
                long started = System.nanoTime();
                // what the written frame will show outside its masks, checked before they are applied
                List<FaceBox> visible = consented.bystanders(verifier.visibleFaces(image, frameBoxes), frame.tsMs(),
                        frame.width(), frame.height());
                long verified = System.nanoTime();
                spent[VERIFY] += verified - started;
                if (!visible.isEmpty()) return null;
                anonymiser.apply(image, frameBoxes, seed * 31 + frame.index());
                byte[] encoded = JpegEncoder.encode(image, jpegQuality);
                spent[MASK_AND_JPEG] += System.nanoTime() - verified;
                return encoded;
            });
            if (jpeg == null) {
                if (leaks++ == 0) firstLeakMs = frame.tsMs();
                return; // this frame cannot be written
            }
            frames.add(new AnonymisedFrame(frame.tsMs(), frame.width(), frame.height(), jpeg, people.get(frame.index()),
                    frameBoxes.size(), personsSeen.get(frame.index()).toArray(new ObjectDetection[0])));
        }
    }

    /**
     * What one frame holds to anonymise: faces (BlazeFace) and heads (MoveNet). Both are masked: a face box is exact
     * where BlazeFace sees a face, a head box covers the rest of the head.
     */
    public record Found(List<FaceBox> faces, List<FaceBox> heads) {
        /** Every box detected, unmerged and not enlarged. */
        public List<FaceBox> boxes() {
            List<FaceBox> all = new ArrayList<>(heads);
            all.addAll(faces);
            return all;
        }

        /**
         * What to mask: one box per head. A head box grows by {@link #HEAD_MARGIN}; a face box that lies inside a
         * head box is merged into it (their union: the face is that head's, and two enlarged boxes would reach into
         * the shoulders); any other face box grows by {@code faceEnlarge} to cover the hair and ears around it.
         */
        public List<FaceBox> masks(double faceEnlarge) {
            List<FaceBox> out = new ArrayList<>();
            List<FaceBox> grown = heads.stream().map(h -> h.scaled(HEAD_MARGIN)).toList();
            List<FaceBox> merged = new ArrayList<>(grown);
            for (FaceBox face : faces) {
                int head = containingHead(face, grown);
                if (head < 0) out.add(face.scaled(faceEnlarge));
                else merged.set(head, union(merged.get(head), face));
            }
            out.addAll(0, merged);
            return out;
        }

        /** People seen: a face inside a head counts once. */
        public int people() {
            return heads.size() + (int) faces.stream().filter(f -> !insideAny(f, heads)).count();
        }

        /** Without the faces and heads a consent covers: those stay visible and are not counted. */
        public Found bystanders(ConsentedRegions consented, long tsMs, int width, int height) {
            return new Found(consented.bystanders(faces, tsMs, width, height), consented.bystanders(heads, tsMs, width, height));
        }
    }

    /**
     * Faces and heads in one frame. A face box whose centre lies on a person's torso, outside every head, and that
     * scores below {@link BlazeFaceDetector#LARGE_FACE_SCORE} is that person's shirt (seen on a man walking in
     * profile: a 40 px "face" on his chest at 0.63), and is dropped.
     */
    public Found find(Mat image) {
        return search(image).found();
    }

    /** What one frame holds to anonymise, and its people as labels (all of them: consent hides nobody from labels). */
    public record Searched(Found found, List<ObjectDetection> persons) {}

    public Searched search(Mat image) {
        return search(image, people(image));
    }

    /** The people (heads, torsos, persons) in one frame: the head detector's run, timed as {@link #HEADS}. */
    public HeadDetector.People people(Mat image) {
        long started = System.nanoTime();
        HeadDetector.People people = run("head detector", () -> heads.detectPeople(image));
        spent[HEADS] += System.nanoTime() - started;
        return people;
    }

    /** What one frame holds to anonymise, given the people found in it already. */
    public Searched search(Mat image, HeadDetector.People people) {
        long started = System.nanoTime();
        List<FaceBox> faces = run("face detector", () -> detector.detect(image));
        spent[FACES] += System.nanoTime() - started;
        List<FaceBox> kept = new ArrayList<>();
        for (FaceBox face : faces) {
            boolean onTorso = people.torsos().stream().anyMatch(t -> face.cx() >= t.x() && face.cx() <= t.x() + t.w()
                    && face.cy() >= t.y() && face.cy() <= t.y() + t.h());
            if (onTorso && face.score() < BlazeFaceDetector.LARGE_FACE_SCORE && !insideAny(face, people.heads())) continue;
            kept.add(face);
        }
        return new Searched(new Found(kept, people.heads()), people.persons());
    }

    /** One detector's call on a frame. */
    @FunctionalInterface
    private interface Detection<T> {
        T run() throws ai.onnxruntime.OrtException;
    }

    /** A detector that cannot run is the infrastructure's failure, not the clip's: it must fail the job. */
    private static <T> T run(String detector, Detection<T> detection) {
        try {
            return detection.run();
        } catch (ai.onnxruntime.OrtException e) {
            throw new dev.clipcurate.pipeline.common.InfrastructureFailure("the " + detector + " failed: " + e.getMessage(), e);
        }
    }

    /** Whether most of a face box lies inside one of the head boxes: one person, counted once. */
    static boolean insideAny(FaceBox face, List<FaceBox> heads) {
        return containingHead(face, heads) >= 0;
    }

    /** The head box most of the face lies in, or -1. */
    static int containingHead(FaceBox face, List<FaceBox> heads) {
        int best = -1;
        double bestArea = 0.6 * face.w() * face.h();
        for (int i = 0; i < heads.size(); i++) {
            double area = face.intersectionArea(heads.get(i));
            if (area >= bestArea) {
                best = i;
                bestArea = area;
            }
        }
        return best;
    }

    static FaceBox union(FaceBox a, FaceBox b) {
        double x0 = Math.min(a.x(), b.x());
        double y0 = Math.min(a.y(), b.y());
        double x1 = Math.max(a.x() + a.w(), b.x() + b.w());
        double y1 = Math.max(a.y() + a.h(), b.y() + b.h());
        return new FaceBox(x0, y0, x1 - x0, y1 - y0, Math.max(a.score(), b.score()));
    }

    /** Nanoseconds spent so far, by {@link #FACES}, {@link #HEADS}, {@link #MASK_AND_JPEG} and {@link #VERIFY}. */
    public long[] spentNanos() {
        return spent.clone();
    }

    @Override
    public void close() throws Exception {
        detector.close();
        heads.close();
        verifier.close();
    }
}
