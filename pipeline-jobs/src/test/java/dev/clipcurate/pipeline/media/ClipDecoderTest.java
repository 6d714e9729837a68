package dev.clipcurate.pipeline.media;

import dev.clipcurate.pipeline.intake.ClipRejected;
import dev.clipcurate.pipeline.intake.RejectReason;
import dev.clipcurate.pipeline.testing.TestClips;
import dev.clipcurate.pipeline.testing.TestFootage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipDecoderTest {
    @TempDir Path tmp;
    private final ClipDecoder decoder = new ClipDecoder(DecodeLimits.defaults());

    @Test
    void samplesRealFootageByTimestampAndCapsTheLongSide() throws Exception {
        DecodedClip clip = decoder.decode(TestFootage.streetCamera().toFile());
        assertEquals(768, clip.width());
        assertEquals(576, clip.height());
        assertEquals(79.5, clip.durationSeconds(), 0.01);
        assertEquals(159, clip.frames().size(), "79.5 s at 2 frames per second");
        for (int i = 0; i < clip.frames().size(); i++) {
            DecodedClip.SampledFrame f = clip.frames().get(i);
            assertEquals(i * 500L, f.tsMs(), "sampled every 500 ms of presentation time");
            assertEquals(640, f.width());
            assertEquals(480, f.height());
            assertTrue(f.jpeg()[0] == (byte) 0xFF && f.jpeg()[1] == (byte) 0xD8, "JPEG");
        }
    }

    @Test
    void samplingFollowsTimeNotFrameCount() throws Exception {
        DecodedClip at30 = decoder.decode(TestClips.write(tmp.resolve("a.mp4"), 320, 240, 30, 6).toFile());
        DecodedClip at10 = decoder.decode(TestClips.write(tmp.resolve("b.mp4"), 320, 240, 10, 6).toFile());
        assertEquals(12, at30.frames().size());
        assertEquals(at30.frames().size(), at10.frames().size());
        for (int i = 0; i < at10.frames().size(); i++) {
            assertEquals(at30.frames().get(i).tsMs(), at10.frames().get(i).tsMs(), 100);
        }
    }

    @Test
    void aviWithDroppedFrameChunksIsNotTruncated() throws Exception {
        // tree.avi: 444 frames in the header, 68 coded frames spread over the full 29.6 s
        DecodedClip clip = decoder.decode(TestFootage.sample("tree.avi").toFile());
        assertTrue(clip.frames().size() >= 55, "frames: " + clip.frames().size());
    }

    @Test
    void textIsNotAVideo() throws Exception {
        Path text = Files.writeString(tmp.resolve("notes.mp4"), "hello, this is text pretending to be a video\n".repeat(40));
        assertEquals(RejectReason.NOT_A_VIDEO, reject(text));
    }

    @Test
    void randomBytesAndEmptyFilesAreNotVideos() throws Exception {
        byte[] noise = new byte[200_000];
        new Random(7).nextBytes(noise);
        assertEquals(RejectReason.NOT_A_VIDEO, reject(Files.write(tmp.resolve("noise.avi"), noise)));
        assertEquals(RejectReason.NOT_A_VIDEO, reject(Files.write(tmp.resolve("empty.mp4"), new byte[0])));
    }

    @Test
    void aStillImageIsNotAVideo() throws Exception {
        DecodedClip clip = decoder.decode(TestFootage.megamind().toFile());
        Path jpeg = Files.write(tmp.resolve("photo.jpg"), clip.frames().get(0).jpeg());
        assertEquals(RejectReason.NOT_A_VIDEO, reject(jpeg));
    }

    @Test
    void truncatedUploadsAreRejected() throws Exception {
        Path avi = TestClips.truncatedCopy(TestFootage.streetCamera(), tmp.resolve("cut.avi"), 0.4);
        assertEquals(RejectReason.TRUNCATED_VIDEO, reject(avi));
        // an MP4 whose index (moov, written last) is missing cannot be opened at all
        Path mp4 = TestClips.write(tmp.resolve("whole.mp4"), 320, 240, 25, 4);
        Path cut = TestClips.truncatedCopy(mp4, tmp.resolve("cut.mp4"), 0.6);
        assertEquals(RejectReason.UNDECODABLE_VIDEO, reject(cut));
    }

    @Test
    void resolutionAndDurationLimitsApply() throws Exception {
        Path big = TestClips.write(tmp.resolve("big.mp4"), 1280, 720, 5, 1);
        ClipDecoder strict = new ClipDecoder(new DecodeLimits(2, 640, 90, 1024, 1024, 600, 120, 1));
        assertEquals(RejectReason.RESOLUTION_OVER_LIMIT, assertThrows(ClipRejected.class, () -> strict.decode(big.toFile())).reason());

        Path longer = TestClips.write(tmp.resolve("long.mp4"), 160, 120, 5, 8);
        ClipDecoder shortOnly = new ClipDecoder(new DecodeLimits(2, 640, 90, 3840, 2160, 5, 120, 1));
        assertEquals(RejectReason.DURATION_OVER_LIMIT, assertThrows(ClipRejected.class, () -> shortOnly.decode(longer.toFile())).reason());
    }

    @Test
    void decodingStopsWhenItsTimeBudgetIsSpent() {
        ClipDecoder hurried = new ClipDecoder(new DecodeLimits(2, 640, 90, 3840, 2160, 600, 0.05, 1));
        ClipRejected e = assertThrows(ClipRejected.class, () -> hurried.decode(TestFootage.streetCamera().toFile()));
        assertEquals(RejectReason.DECODE_TIMEOUT, e.reason());
    }

    @Test
    void timeSpentOnFramesByTheCallerDoesNotCountAgainstTheBudget() throws Exception {
        // Megamind.avi decodes in well under a second; the caller spends 23 x 100 ms on its frames
        ClipDecoder decoder = new ClipDecoder(new DecodeLimits(2, 640, 90, 3840, 2160, 600, 1.0, 1));
        int[] seen = {0};
        decoder.decode(TestFootage.megamind().toFile(), (i, ts, image) -> {
            Thread.sleep(100);
            seen[0]++;
        });
        assertEquals(23, seen[0]);
    }

    @Test
    void rejectionDetailsDoNotQuoteFilePaths() throws Exception {
        Path text = Files.writeString(tmp.resolve("secret-donor-folder.mp4"), "x".repeat(100));
        ClipRejected e = assertThrows(ClipRejected.class, () -> decoder.decode(text.toFile()));
        assertTrue(!e.getMessage().contains("secret-donor-folder"), e.getMessage());
    }

    private RejectReason reject(Path file) {
        return assertThrows(ClipRejected.class, () -> decoder.decode(file.toFile())).reason();
    }
}
