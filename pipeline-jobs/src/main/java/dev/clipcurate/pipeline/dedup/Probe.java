package dev.clipcurate.pipeline.dedup;

/** An earlier clip's fingerprint, sent to a clip that may duplicate it, for {@link DecideDuplicates} to verify. */
public class Probe {
    public String clipId;
    public long clipEpoch;
    public ClipFingerprint earlier;

    public Probe() {}
}
