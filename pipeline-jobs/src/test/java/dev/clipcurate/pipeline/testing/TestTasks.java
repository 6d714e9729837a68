package dev.clipcurate.pipeline.testing;

import dev.clipcurate.pipeline.intake.ClipTask;

/** Clip tasks for operator-harness tests: what ParseDonation would emit, with a pseudonymised donor. */
public final class TestTasks {
    private TestTasks() {}

    public static ClipTask task(String clipId, String campaign) {
        ClipTask t = new ClipTask();
        t.clipId = clipId;
        t.donorPseudonym = "d_x";
        t.campaign = campaign;
        t.sourceTopic = "clips.donated";
        return t;
    }
}
