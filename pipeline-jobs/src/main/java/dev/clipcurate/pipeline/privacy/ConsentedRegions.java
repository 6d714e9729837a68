package dev.clipcurate.pipeline.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clipcurate.pipeline.common.AvroJson;

import java.util.ArrayList;
import java.util.List;

/**
 * The regions and time spans where named, consenting subjects may stay visible. Everyone else is a bystander:
 * a face stays visible only if its centre lies in a consented region during that region's span.
 */
public final class ConsentedRegions {
    private record Region(double x, double y, double w, double h, long fromMs, long toMs) {}

    private static final ConsentedRegions NONE = new ConsentedRegions(List.of());
    private final List<Region> regions;

    private ConsentedRegions(List<Region> regions) {
        this.regions = regions;
    }

    /** Parses ClipTask#consentedSubjectsJson; null means nobody consented. */
    public static ConsentedRegions parse(String json) {
        if (json == null) return NONE;
        try {
            List<Region> regions = new ArrayList<>();
            for (JsonNode s : AvroJson.MAPPER.readTree(json)) {
                JsonNode r = s.get("region");
                regions.add(new Region(r.get("x").asDouble(), r.get("y").asDouble(), r.get("w").asDouble(),
                        r.get("h").asDouble(), s.get("from_ms").asLong(), s.get("to_ms").asLong()));
            }
            return new ConsentedRegions(regions);
        } catch (Exception e) {
            throw new IllegalArgumentException("consented subjects are not valid JSON", e);
        }
    }

    public boolean isEmpty() {
        return regions.isEmpty();
    }

    /** Whether the face may stay visible in a frame of the given size at the given clip time. */
    public boolean covers(FaceBox face, long tsMs, int frameWidth, int frameHeight) {
        double cx = face.cx() / frameWidth;
        double cy = face.cy() / frameHeight;
        for (Region r : regions) {
            if (tsMs >= r.fromMs && tsMs <= r.toMs && cx >= r.x && cx <= r.x + r.w && cy >= r.y && cy <= r.y + r.h) {
                return true;
            }
        }
        return false;
    }

    /** The faces that must be anonymised: all but those a consent covers. */
    public List<FaceBox> bystanders(List<FaceBox> faces, long tsMs, int frameWidth, int frameHeight) {
        if (regions.isEmpty()) return faces;
        List<FaceBox> out = new ArrayList<>();
        for (FaceBox f : faces) if (!covers(f, tsMs, frameWidth, frameHeight)) out.add(f);
        return out;
    }
}
