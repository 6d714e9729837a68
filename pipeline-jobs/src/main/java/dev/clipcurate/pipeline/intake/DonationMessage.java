package dev.clipcurate.pipeline.intake;

/** A raw message from the donations topic with its coordinates, before any parsing. */
public class DonationMessage {
    public String topic;
    public int partition;
    public long offset;
    public long timestampMs;
    public byte[] value;

    public DonationMessage() {}

    public DonationMessage(String topic, int partition, long offset, long timestampMs, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestampMs = timestampMs;
        this.value = value;
    }
}
