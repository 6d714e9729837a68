package dev.clipcurate.pipeline.media;

import dev.clipcurate.pipeline.intake.ClipRejected;
import dev.clipcurate.pipeline.testing.TestClips;
import dev.clipcurate.pipeline.testing.TestFootage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real clips (Megamind.avi and tree.avi as fetched, and parts of Megamind re-encoded into MP4 and Matroska),
 * mutated as damaged uploads and crafted files are: bit flips anywhere and in the headers, ranges overwritten
 * with noise, zeros or 0xFF, ranges copied over others, bytes inserted and deleted, cut and padded files, and
 * container fields (MP4 box sizes and sample tables, AVI chunk sizes and frame sizes) set to extremes. Each
 * mutant goes through the job's decoder in this JVM: it is decoded or rejected with a reason, and nothing else
 * happens (an FFmpeg crash would take this test's JVM down, which fails the build). Seeds are fixed.
 */
class MutatedClipsTest {
    private static final int MUTANTS_PER_CLIP = 50;
    private static final Set<String> DECODE_REASONS = Set.of("not_a_video", "undecodable_video", "truncated_video",
            "resolution_over_limit", "duration_over_limit", "decode_timeout", "processing_error");
    private static final List<String> MP4_BOXES = List.of("ftyp", "moov", "mvhd", "trak", "tkhd", "mdia", "mdhd", "hdlr",
            "minf", "stbl", "stsd", "stts", "stsc", "stsz", "stco", "co64", "stss", "mdat", "esds", "avcC");
    private static final List<String> AVI_CHUNKS = List.of("RIFF", "LIST", "avih", "strh", "strf", "movi", "idx1", "00dc",
            "00db", "JUNK", "indx");

    @TempDir Path tmp;

    @Test
    void everyMutantIsDecodedOrRejectedWithAReason() throws Exception {
        List<Path> sources = List.of(
                TestFootage.megamind(),
                TestFootage.sample("tree.avi"),
                TestClips.variant(TestFootage.megamind(), tmp.resolve("megamind.mp4"), 2, 6, false, 1.0, 0.5),
                TestClips.variant(TestFootage.megamind(), tmp.resolve("megamind.mkv"), 4, 8, false, 1.0, 0.5));
        ClipDecoder decoder = new ClipDecoder(new DecodeLimits(2.0, 640, 85, 1920, 1080, 120, 30, 1));
        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        int mutants = 0;
        for (Path source : sources) {
            byte[] original = Files.readAllBytes(source);
            // the unmutated clip decodes: the mutants are mutants of something valid
            decoder.decode(source.toFile(), (i, ts, image) -> { });
            Random random = new Random(source.getFileName().toString().hashCode());
            for (int m = 0; m < MUTANTS_PER_CLIP; m++) {
                Mutant mutant = mutate(original, random);
                Path file = tmp.resolve("mutant-" + mutants++ + ".bin");
                Files.write(file, mutant.bytes);
                String outcome;
                try {
                    decoder.decode(file.toFile(), (i, ts, image) -> { });
                    outcome = "decoded";
                } catch (ClipRejected e) {
                    outcome = e.reason().code();
                    if (!DECODE_REASONS.contains(outcome) || e.getMessage() == null || e.getMessage().isBlank()) {
                        failures.add(source.getFileName() + " / " + mutant.what + ": " + outcome + " without a reason");
                    }
                } catch (Throwable t) {
                    outcome = t.getClass().getSimpleName();
                    failures.add(source.getFileName() + " / " + mutant.what + ": " + t);
                }
                outcomes.merge(outcome, 1, Integer::sum);
                Files.delete(file);
            }
        }
        System.out.println(mutants + " mutated clips through the decoder: " + outcomes);
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertEquals(sources.size() * MUTANTS_PER_CLIP, outcomes.values().stream().mapToInt(Integer::intValue).sum());
        assertTrue(outcomes.keySet().size() >= 3, "the mutations should reach several outcomes: " + outcomes);
    }

    private record Mutant(byte[] bytes, String what) {}

    private static Mutant mutate(byte[] original, Random r) {
        byte[] b = original.clone();
        int n = b.length;
        switch (r.nextInt(9)) {
            case 0 -> {
                int flips = List.of(1, 10, 100, 1000).get(r.nextInt(4));
                for (int i = 0; i < flips; i++) b[r.nextInt(n)] ^= (byte) (1 << r.nextInt(8));
                return new Mutant(b, flips + " bit flips");
            }
            case 1 -> {
                int region = Math.min(n, 4096);
                boolean head = r.nextBoolean();
                for (int i = 0; i < 20; i++) {
                    int at = head ? r.nextInt(region) : n - 1 - r.nextInt(region);
                    b[at] ^= (byte) (1 << r.nextInt(8));
                }
                return new Mutant(b, "20 bit flips in the " + (head ? "first" : "last") + " 4 KiB");
            }
            case 2 -> {
                int len = 1 + r.nextInt(Math.min(n / 4, 65536));
                int at = r.nextInt(n - len);
                int fill = r.nextInt(3);
                for (int i = at; i < at + len; i++) b[i] = fill == 0 ? 0 : fill == 1 ? (byte) 0xFF : (byte) r.nextInt(256);
                return new Mutant(b, len + " bytes at " + at + " overwritten with " + List.of("zeros", "0xFF", "noise").get(fill));
            }
            case 3 -> {
                int len = 1 + r.nextInt(Math.min(n / 4, 65536));
                int from = r.nextInt(n - len);
                int to = r.nextInt(n - len);
                System.arraycopy(original, from, b, to, len);
                return new Mutant(b, len + " bytes copied from " + from + " to " + to);
            }
            case 4 -> {
                int at = r.nextInt(n);
                int len = 1 + r.nextInt(1024);
                byte[] out = new byte[n + len];
                System.arraycopy(original, 0, out, 0, at);
                for (int i = 0; i < len; i++) out[at + i] = (byte) r.nextInt(256);
                System.arraycopy(original, at, out, at + len, n - at);
                return new Mutant(out, len + " bytes inserted at " + at);
            }
            case 5 -> {
                int at = r.nextInt(n - 1024);
                int len = 1 + r.nextInt(1024);
                byte[] out = new byte[n - len];
                System.arraycopy(original, 0, out, 0, at);
                System.arraycopy(original, at + len, out, at, n - at - len);
                return new Mutant(out, len + " bytes deleted at " + at);
            }
            case 6 -> {
                int cut = r.nextInt(n);
                byte[] out = java.util.Arrays.copyOf(original, cut + 4096);
                for (int i = cut; i < out.length; i++) out[i] = (byte) r.nextInt(256);
                return new Mutant(out, "cut at " + cut + " and padded with noise");
            }
            default -> {
                return mangleContainerField(b, r);
            }
        }
    }

    /** A container field set to an extreme: a box or chunk size, or the first fields after its name. */
    private static Mutant mangleContainerField(byte[] b, Random r) {
        List<int[]> places = new ArrayList<>(); // {offset of the name, 0 = mp4 big-endian, 1 = avi little-endian}
        for (int kind = 0; kind < 2; kind++) {
            for (String name : kind == 0 ? MP4_BOXES : AVI_CHUNKS) {
                byte[] id = name.getBytes(StandardCharsets.US_ASCII);
                for (int i = 4; i + 32 < b.length && places.size() < 5000; i++) {
                    if (b[i] == id[0] && b[i + 1] == id[1] && b[i + 2] == id[2] && b[i + 3] == id[3]) places.add(new int[] {i, kind});
                }
            }
        }
        if (places.isEmpty()) return new Mutant(b, "no container field found");
        int[] place = places.get(r.nextInt(places.size()));
        int[] values = {0, 1, 7, 0x7FFFFFFF, 0xFFFFFFFF, 0x80000000, 65536, r.nextInt()};
        int value = values[r.nextInt(values.length)];
        // the size before the name (MP4: the 4 bytes before; AVI: the 4 bytes after), or a field after it
        int field = place[1] == 0 ? (r.nextBoolean() ? place[0] - 4 : place[0] + 4 + 4 * r.nextInt(6))
                : place[0] + 4 + 4 * r.nextInt(8);
        String name = new String(b, place[0], 4, StandardCharsets.US_ASCII);
        for (int i = 0; i < 4; i++) {
            int shift = place[1] == 0 ? 24 - 8 * i : 8 * i;
            b[field + i] = (byte) (value >>> shift);
        }
        return new Mutant(b, "field at " + field + " of '" + name + "' set to 0x" + Integer.toHexString(value));
    }
}
