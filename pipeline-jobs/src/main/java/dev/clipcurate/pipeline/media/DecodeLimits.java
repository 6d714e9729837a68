package dev.clipcurate.pipeline.media;

import java.io.Serializable;

/** Sampling and safety limits for decoding untrusted clips. */
public record DecodeLimits(
        double sampleFps,
        int maxLongSide,
        int jpegQuality,
        int maxWidth,
        int maxHeight,
        double maxDurationSeconds,
        double decodeBudgetSeconds,
        int decoderThreads) implements Serializable {

    public static DecodeLimits defaults() {
        return new DecodeLimits(2.0, 640, 90, 3840, 2160, 600, 120, 1);
    }

    public DecodeLimits {
        if (!(sampleFps > 0)) throw new IllegalArgumentException("sample rate must be > 0 frames per second");
        if (maxLongSide < 16) throw new IllegalArgumentException("max long side must be at least 16 px");
        if (jpegQuality < 1 || jpegQuality > 100) throw new IllegalArgumentException("JPEG quality must be 1..100");
    }
}
