package dev.clipcurate.pipeline.dedup;

import java.nio.charset.StandardCharsets;

/**
 * A clip's 64-bit key in the dedup index: index postings carry this instead of the clip id, so that a posting has a
 * fixed size (36 bytes). Two of ten million clip ids share a key with a probability of about 3·10⁻⁶; such a pair
 * would only send the matcher a wrong fingerprint, which it rejects.
 */
public final class ClipKey {
    private ClipKey() {}

    /** FNV-1a over the UTF-8 bytes, then SplitMix64's finaliser to spread the bits. */
    public static long of(String clipId) {
        long h = 0xcbf29ce484222325L;
        for (byte b : clipId.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }
}
