package dev.clipcurate.pipeline.shards;

import dev.clipcurate.pipeline.media.FrameSample;
import dev.clipcurate.pipeline.media.ObjectDetection;
import dev.clipcurate.schemas.Detection;
import dev.clipcurate.schemas.FrameRow;

import java.util.List;

/** The labels of a frame as a manifest row; the same fields are the frame's {@code <key>.json}. */
public final class FrameLabels {
    private FrameLabels() {}

    public static FrameRow of(FrameSample s) {
        return FrameRow.newBuilder()
                .setKey(s.key)
                .setClipId(s.clipId)
                .setDonorPseudonym(s.donorPseudonym)
                .setCampaign(s.campaign)
                .setCameraId(s.cameraId)
                .setFrameIndex(s.frameIndex)
                .setTsMs(s.tsMs)
                .setWidth(s.width)
                .setHeight(s.height)
                .setSourceWidth(s.sourceWidth)
                .setSourceHeight(s.sourceHeight)
                .setJpgSha256(s.jpgSha256)
                .setBuildId(s.buildId)
                .setDeclaredStaged(s.declaredStaged)
                .setFacesDetected(s.facesDetected)
                .setBoxesAnonymised(s.boxesAnonymised)
                .setAnonymiser(s.anonymiser)
                .setPdqHash(s.pdqHash)
                .setPdqQuality(s.pdqQuality)
                .setFrameScore(s.frameScore)
                .setStagedLabel(s.stagedLabel)
                .setStagedConfidence(s.stagedConfidence)
                .setStagedEvidence(s.stagedEvidence == null ? null : java.util.List.of(s.stagedEvidence))
                .setDetections(s.detections == null ? null : java.util.Arrays.stream(s.detections).map(FrameLabels::of).toList())
                .build();
    }

    static Detection of(ObjectDetection d) {
        List<Float> keypoints = null;
        if (d.keypoints != null) {
            keypoints = new java.util.ArrayList<>(d.keypoints.length);
            for (float k : d.keypoints) keypoints.add(round(k));
        }
        return Detection.newBuilder().setLabel(d.label).setX(round(d.x)).setY(round(d.y)).setW(round(d.w))
                .setH(round(d.h)).setScore(round(d.score)).setKeypoints(keypoints).build();
    }

    /** Three decimals are all a label needs; the .json stays short. */
    private static float round(float v) {
        return Math.round(v * 1000f) / 1000f;
    }
}
