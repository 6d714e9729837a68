package dev.clipcurate.pipeline.media;

import dev.clipcurate.pipeline.common.Hashing;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * WebDataset sample keys. A key may not contain dots or slashes (the loader splits the extension at the
 * first dot), so clip ids that are not already safe are slugged and made unique with a short hash.
 */
public final class FrameKeys {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_-]{1,80}");

    private FrameKeys() {}

    public static String of(String clipId, int frameIndex) {
        return clipSlug(clipId) + "_" + String.format("%06d", frameIndex);
    }

    static String clipSlug(String clipId) {
        if (SAFE.matcher(clipId).matches()) return clipId;
        String slug = clipId.replaceAll("[^A-Za-z0-9_-]", "-");
        if (slug.length() > 60) slug = slug.substring(0, 60);
        return slug + "-" + Hashing.sha256Hex(clipId.getBytes(StandardCharsets.UTF_8)).substring(0, 10);
    }
}
