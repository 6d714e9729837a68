package dev.clipcurate.pipeline.media;

import java.util.List;

/** What decoding learned about a clip, and the frames it sampled (JPEG bytes, timestamps). */
public record DecodedClip(String container, String videoCodec, double durationSeconds, double fps,
                          int width, int height, List<SampledFrame> frames) {

    public record SampledFrame(long tsMs, int width, int height, byte[] jpeg) {}
}
