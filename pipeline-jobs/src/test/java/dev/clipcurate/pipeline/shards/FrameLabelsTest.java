package dev.clipcurate.pipeline.shards;

import dev.clipcurate.pipeline.common.AvroJson;
import dev.clipcurate.pipeline.media.FrameSample;
import dev.clipcurate.pipeline.media.ObjectDetection;
import dev.clipcurate.schemas.FrameRow;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class FrameLabelsTest {
    /** A frame's detections go into its .json and come back from it as the sealer reads it into the manifest. */
    @Test
    void detectionsSurviveTheFramesJsonAndTheManifestRow() throws Exception {
        FrameSample s = new FrameSample();
        s.key = "c1-000000";
        s.clipId = "c1";
        s.donorPseudonym = "d_1";
        s.campaign = "package-theft";
        s.cameraId = "cam";
        s.buildId = "b1";
        s.width = 640;
        s.height = 480;
        s.jpgSha256 = "00";
        float[] keypoints = new float[51];
        for (int i = 0; i < keypoints.length; i++) keypoints[i] = i * 1.23456f;
        s.detections = new ObjectDetection[] {
                new ObjectDetection("person", 10.12345f, 20f, 30f, 200f, 0.87654f, keypoints)};
        FrameRow row = AvroJson.toRecord(AvroJson.MAPPER.readTree(AvroJson.toJsonBytes(FrameLabels.of(s))), FrameRow.class);
        assertEquals(1, row.getDetections().size());
        var d = row.getDetections().get(0);
        assertEquals("person", d.getLabel());
        assertEquals(10.123f, d.getX(), 1e-6, "three decimals");
        assertEquals(200f, d.getH(), 1e-6);
        assertEquals(0.877f, d.getScore(), 1e-6);
        assertEquals(51, d.getKeypoints().size());
        assertEquals(1.235f, d.getKeypoints().get(1), 1e-6);

        s.detections = null;
        assertNull(AvroJson.toRecord(AvroJson.MAPPER.readTree(AvroJson.toJsonBytes(FrameLabels.of(s))), FrameRow.class)
                .getDetections(), "a frame of an earlier version has no detections");
    }
}
