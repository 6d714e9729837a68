package dev.clipcurate.pipeline.media;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Names the video container a file's first bytes announce, or null. It tells a damaged video (a container
 * FFmpeg cannot open) from a file that is no video at all.
 */
final class ContainerSniffer {
    private ContainerSniffer() {}

    static String sniff(Path file) {
        byte[] h = new byte[16];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(h, 0, h.length);
        } catch (IOException e) {
            return null;
        }
        if (n < 12) return null;
        if (is(h, 0, "RIFF") && is(h, 8, "AVI ")) return "avi";
        if (is(h, 4, "ftyp") || is(h, 4, "moov") || is(h, 4, "mdat") || is(h, 4, "free") || is(h, 4, "wide")) return "mp4/mov";
        if ((h[0] & 0xff) == 0x1a && (h[1] & 0xff) == 0x45 && (h[2] & 0xff) == 0xdf && (h[3] & 0xff) == 0xa3) return "matroska/webm";
        if (is(h, 0, "FLV")) return "flv";
        if (is(h, 0, "OggS")) return "ogg";
        if (h[0] == 0 && h[1] == 0 && h[2] == 1 && ((h[3] & 0xff) == 0xba || (h[3] & 0xff) == 0xb3)) return "mpeg";
        if (Arrays.equals(Arrays.copyOf(h, 4), new byte[] {0x30, 0x26, (byte) 0xb2, 0x75})) return "asf";
        return null;
    }

    private static boolean is(byte[] h, int at, String ascii) {
        for (int i = 0; i < ascii.length(); i++) if (h[at + i] != (byte) ascii.charAt(i)) return false;
        return true;
    }
}
