package dev.clipcurate.pipeline.shards;

import dev.clipcurate.pipeline.media.FrameSample;
import dev.clipcurate.schemas.FrameRow;

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
                .build();
    }
}
