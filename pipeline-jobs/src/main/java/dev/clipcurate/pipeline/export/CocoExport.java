package dev.clipcurate.pipeline.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipcurate.pipeline.common.AvroJson;
import dev.clipcurate.pipeline.privacy.HeadDetector;
import dev.clipcurate.pipeline.shards.DatasetLayout;
import dev.clipcurate.pipeline.shards.ManifestFiles;
import dev.clipcurate.pipeline.shards.TarShards;
import dev.clipcurate.schemas.Detection;
import dev.clipcurate.schemas.FrameRow;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A sealed version's frames and their pre-annotations as a COCO dataset, the format CVAT, Label Studio and most
 * detection trainers import: {@code images/<key>.jpg} and {@code annotations.json} with one category, person
 * (box, score, and the 17 COCO keypoints: a keypoint the model was not sure of is given as not labelled).
 */
public final class CocoExport {
    /** COCO's person keypoints, in MoveNet's order (which is COCO's). */
    static final List<String> KEYPOINT_NAMES = List.of("nose", "left_eye", "right_eye", "left_ear", "right_ear",
            "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip",
            "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle");
    /** COCO's person skeleton, 1-based keypoint indices. */
    static final int[][] SKELETON = {{16, 14}, {14, 12}, {17, 15}, {15, 13}, {12, 13}, {6, 12}, {7, 13}, {6, 7},
            {6, 8}, {7, 9}, {8, 10}, {9, 11}, {2, 3}, {1, 2}, {1, 3}, {2, 4}, {3, 5}, {4, 6}, {5, 7}};
    static final int PERSON = 1;

    /** What was written. */
    public record Summary(int images, int annotations, int detectionsBelowMinimum) {}

    private final DatasetLayout layout;
    private final float minScore;

    /** @param minScore detections scoring below are left out (each is a pre-annotation someone must check) */
    public CocoExport(DatasetLayout layout, float minScore) {
        this.layout = layout;
        this.minScore = minScore;
    }

    public Summary write(JsonNode version, java.nio.file.Path out) throws IOException {
        java.nio.file.Path images = Files.createDirectories(out.resolve("images"));
        ObjectNode coco = AvroJson.MAPPER.createObjectNode();
        ObjectNode info = coco.putObject("info");
        info.put("description", "dataset " + layout.dataset() + " " + version.get("name").asText()
                + ": anonymised frames; boxes and keypoints are model pre-annotations (MoveNet MultiPose), not checked");
        info.put("version", version.get("name").asText());
        info.put("date_created", version.get("created_at").asText());
        coco.putArray("licenses");
        ArrayNode imageRows = coco.putArray("images");
        ArrayNode annotations = coco.putArray("annotations");
        ObjectNode person = coco.putArray("categories").addObject();
        person.put("id", PERSON);
        person.put("name", "person");
        person.put("supercategory", "person");
        ArrayNode names = person.putArray("keypoints");
        KEYPOINT_NAMES.forEach(names::add);
        ArrayNode skeleton = person.putArray("skeleton");
        for (int[] bone : SKELETON) skeleton.addArray().add(bone[0]).add(bone[1]);

        int imageId = 0;
        int annotationId = 0;
        int below = 0;
        for (JsonNode file : version.get("files")) {
            if (!"frames".equals(file.get("kind").asText())) continue;
            String tarPath = file.get("path").asText();
            List<FrameRow> rows = ManifestFiles.read(new Path(layout.datasetDir(), TarShards.manifestOf(tarPath)), FrameRow.class);
            Map<String, FrameRow> byKey = new HashMap<>();
            for (FrameRow r : rows) byKey.put(r.getKey(), r);
            Path tar = new Path(layout.datasetDir(), tarPath);
            try (FSDataInputStream raw = tar.getFileSystem().open(tar); TarArchiveInputStream in = new TarArchiveInputStream(raw)) {
                for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                    if (!e.getName().endsWith(".jpg")) continue;
                    FrameRow row = byKey.get(TarShards.sampleKey(e.getName()));
                    if (row == null) throw new IOException(tarPath + ": " + e.getName() + " is not in its frame manifest (run audit)");
                    Files.copy(in, images.resolve(row.getKey() + ".jpg"));
                    ObjectNode image = imageRows.addObject();
                    image.put("id", ++imageId);
                    image.put("file_name", row.getKey() + ".jpg");
                    image.put("width", row.getWidth());
                    image.put("height", row.getHeight());
                    image.put("clip_id", row.getClipId());
                    image.put("frame_index", row.getFrameIndex());
                    image.put("ts_ms", row.getTsMs());
                    image.put("campaign", row.getCampaign());
                    if (row.getStagedLabel() != null) image.put("staged_label", row.getStagedLabel());
                    if (row.getDetections() == null) continue;
                    for (Detection d : row.getDetections()) {
                        if (!"person".equals(d.getLabel())) continue;
                        if (d.getScore() < minScore) {
                            below++;
                            continue;
                        }
                        annotations.add(annotation(++annotationId, imageId, d));
                    }
                }
            }
        }
        AvroJson.MAPPER.writerWithDefaultPrettyPrinter().writeValue(out.resolve("annotations.json").toFile(), coco);
        return new Summary(imageId, annotationId, below);
    }

    static ObjectNode annotation(int id, int imageId, Detection d) {
        ObjectNode a = AvroJson.MAPPER.createObjectNode();
        a.put("id", id);
        a.put("image_id", imageId);
        a.put("category_id", PERSON);
        a.putArray("bbox").add(d.getX()).add(d.getY()).add(d.getW()).add(d.getH());
        a.put("area", d.getW() * d.getH());
        a.put("iscrowd", 0);
        a.put("score", d.getScore());
        if (d.getKeypoints() != null) {
            ArrayNode k = a.putArray("keypoints");
            int visible = 0;
            List<Float> kp = d.getKeypoints();
            for (int i = 0; i + 2 < kp.size(); i += 3) {
                // COCO: v = 2 labelled and visible, 0 not labelled (then x = y = 0)
                boolean sure = kp.get(i + 2) >= HeadDetector.KEYPOINT_THRESHOLD;
                k.add(sure ? kp.get(i) : 0f).add(sure ? kp.get(i + 1) : 0f).add(sure ? 2 : 0);
                if (sure) visible++;
            }
            a.put("num_keypoints", visible);
        }
        return a;
    }
}
