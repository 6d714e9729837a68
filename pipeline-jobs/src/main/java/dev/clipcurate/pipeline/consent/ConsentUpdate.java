package dev.clipcurate.pipeline.consent;

/**
 * One consent event as the job keeps it: the donor already pseudonymised (raw ids never enter state or
 * checkpoints), the time as epoch milliseconds, and where on the consent topic it came from.
 */
public class ConsentUpdate {
    public String donorPseudonym;
    /** {@link ConsentPublisher#GRANT} or {@link ConsentPublisher#REVOKE}. */
    public String action;
    public String scope;
    public String consentVersion;
    public long atMillis;
    public String topic;
    public int partition;
    public long offset;

    public ConsentUpdate() {}

    public boolean isGrant() {
        return ConsentPublisher.GRANT.equals(action);
    }

    /** Where the event is on the topic, e.g. {@code donors.consent/0@17}: a steward can look it up. */
    public String source() {
        return topic + "/" + partition + "@" + offset;
    }
}
