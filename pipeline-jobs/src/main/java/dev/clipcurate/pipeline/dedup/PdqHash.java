package dev.clipcurate.pipeline.dedup;

import java.util.HexFormat;

/** A 256-bit perceptual hash of a frame and its quality (0–100; low means flat, textureless, unreliable). */
public record PdqHash(long[] bits, int quality) {
    public static final int BITS = 256;

    public PdqHash {
        if (bits.length != 4) throw new IllegalArgumentException("a hash has 4 longs (256 bits)");
    }

    /** Number of differing bits, 0..256; Meta's PDQ counts two frames as matching at 31 or less. */
    public int distance(PdqHash other) {
        return distance(bits, other.bits);
    }

    /** Differing bits of two hashes given as 4 longs each. */
    public static int distance(long[] a, long[] b) {
        int d = 0;
        for (int i = 0; i < 4; i++) d += Long.bitCount(a[i] ^ b[i]);
        return d;
    }

    public int bitCount() {
        int n = 0;
        for (long b : bits) n += Long.bitCount(b);
        return n;
    }

    /** 64 hex digits, most significant word first, as written to the frame manifest's pdq_hash column. */
    public String hex() {
        StringBuilder s = new StringBuilder(64);
        for (long b : bits) s.append(String.format("%016x", b));
        return s.toString();
    }

    public static PdqHash fromHex(String hex, int quality) {
        byte[] bytes = HexFormat.of().parseHex(hex);
        if (bytes.length != 32) throw new IllegalArgumentException("a hash is 64 hex digits");
        long[] bits = new long[4];
        for (int i = 0; i < 32; i++) bits[i / 8] = (bits[i / 8] << 8) | (bytes[i] & 0xff);
        return new PdqHash(bits, quality);
    }
}
