package dev.clipcurate.pipeline.dedup;

import dev.clipcurate.pipeline.media.ClipDecoder;
import dev.clipcurate.pipeline.media.DecodeLimits;
import dev.clipcurate.pipeline.testing.TestFootage;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Map;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.bytedeco.opencv.global.opencv_core.flip;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fingerprints and the matcher on real footage of one fixed street camera (vtest.avi): copies of a segment that
 * are cropped, mirrored, rescaled or trimmed match it at the right offset; a segment of the same camera 20 s later
 * (same background, other people) does not. Variants are made from the decoded frames in one decoding pass
 * (scripts/make-dedup-set and eval-dedup cover re-encoding with ffmpeg).
 */
class ClipMatcherTest {
    static ClipFingerprint original, later, cornerCrop, mirrored, halfSize, trimmed, cutOut;
    final ClipMatcher matcher = new ClipMatcher(DedupSettings.defaults().matchThreshold());

    @BeforeAll
    static void fingerprint() throws Exception {
        PdqHasher hasher = new PdqHasher();
        ClipFingerprinter o = new ClipFingerprinter(hasher), l = new ClipFingerprinter(hasher),
                c = new ClipFingerprinter(hasher), m = new ClipFingerprinter(hasher), h = new ClipFingerprinter(hasher),
                t = new ClipFingerprinter(hasher), x = new ClipFingerprinter(hasher);
        new ClipDecoder(DecodeLimits.defaults()).decode(TestFootage.streetCamera().toFile(), (i, ts, image) -> {
            if (ts < 16_000) {
                o.add(ts, image);
                try (Mat corner = new Mat(image, new Rect(0, 0, image.cols() * 9 / 10, image.rows() * 9 / 10));
                     Mat flipped = new Mat(); Mat half = new Mat()) {
                    c.add(ts, corner);
                    flip(image, flipped, 1);
                    m.add(ts, flipped);
                    resize(image, half, new Size(image.cols() / 2, image.rows() / 2), 0, 0, INTER_AREA);
                    h.add(ts, half);
                }
            }
            if (ts >= 3_000 && ts < 16_000) t.add(ts - 3_000, image);
            if (ts >= 5_000 && ts < 11_000) x.add(ts - 5_000, image);
            if (ts >= 20_000 && ts < 36_000) l.add(ts - 20_000, image);
        });
        original = o.build("original", "", 1);
        later = l.build("later", "", 1);
        cornerCrop = c.build("corner-crop", "", 1);
        mirrored = m.build("mirrored", "", 1);
        halfSize = h.build("half-size", "", 1);
        trimmed = t.build("trimmed", "", 1);
        cutOut = x.build("cut-out", "", 1);
    }

    @Test
    void sameCameraAnotherEventIsNotADuplicate() {
        ClipMatcher.Match m = matcher.match(later, original);
        assertFalse(m.matched(), "distance " + m.distance());
        assertFalse(m.staticClips());
        assertTrue(m.distance() > 0.5, "distance " + m.distance());
    }

    @Test
    void croppedRescaledAndMirroredCopiesMatchAtOffsetZero() {
        for (ClipFingerprint copy : new ClipFingerprint[] {cornerCrop, halfSize, mirrored}) {
            ClipMatcher.Match m = matcher.match(copy, original);
            assertTrue(m.matched(), copy.clipId + " distance " + m.distance());
            assertEquals(0, m.offsetMs(), copy.clipId);
            assertEquals(copy == mirrored, m.mirrored(), copy.clipId);
            assertTrue(m.distance() < 0.2, copy.clipId + " distance " + m.distance());
        }
    }

    @Test
    void trimmedAndCutOutCopiesMatchWhereTheyStart() {
        ClipMatcher.Match m = matcher.match(trimmed, original);
        assertTrue(m.matched(), "distance " + m.distance());
        assertEquals(3_000, m.offsetMs(), 500);
        ClipMatcher.Match cut = matcher.match(cutOut, original);
        assertTrue(cut.matched(), "distance " + cut.distance());
        assertEquals(5_000, cut.offsetMs(), 500);
        // the other way round: the original starts before the copy
        assertEquals(-5_000, matcher.match(original, cutOut).offsetMs(), 500);
    }

    @Test
    void theIndexMakesCopiesCandidates() {
        for (ClipFingerprint copy : new ClipFingerprint[] {cornerCrop, halfSize, mirrored, trimmed, cutOut}) {
            assertTrue(sharesABand(copy, original), copy.clipId + " and the original do not meet in the index");
        }
    }

    @Test
    void fingerprintSurvivesTheManifestRoundTrip() {
        ClipFingerprint back = ClipFingerprint.fromBytes("original", null, 0, java.nio.ByteBuffer.wrap(original.toBytes()));
        assertEquals(original.frames(), back.frames());
        ClipMatcher.Match m = matcher.match(back, original);
        assertTrue(m.matched());
        assertEquals(0, m.distance(), 1e-6);
        assertEquals(0, m.offsetMs());
        assertEquals(original.pdqWindow(7, 3).hex(), back.pdqWindow(7, 3).hex());
        byte[] truncated = java.util.Arrays.copyOf(original.toBytes(), 100);
        assertThrows(IllegalArgumentException.class,
                () -> ClipFingerprint.fromBytes("original", null, 0, java.nio.ByteBuffer.wrap(truncated)));
    }

    /** Whether either clip's lookups meet the other's postings (the index finds the pair whichever comes first). */
    private static boolean sharesABand(ClipFingerprint a, ClipFingerprint b) {
        return meets(a, b) && meets(b, a);
    }

    private static boolean meets(ClipFingerprint lookup, ClipFingerprint stored) {
        IndexKeys.Layout layout = IndexKeys.Layout.DEFAULT;
        Map<Integer, byte[]> postings = IndexKeys.postingsByKey(
                IndexBatch.of(stored, layout, EventIndex.MAX_PARALLELISM).stream().filter(b -> b.stored).toList());
        List<IndexBatch> lookups = IndexBatch.of(lookup, layout, EventIndex.MAX_PARALLELISM).stream().filter(b -> !b.stored).toList();
        return IndexKeys.hits(lookups, postings, layout).size() > 0;
    }
}
