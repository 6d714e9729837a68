package dev.clipcurate.pipeline.consent;

import dev.clipcurate.pipeline.common.AvroJson;
import dev.clipcurate.pipeline.intake.DonationMessage;
import dev.clipcurate.pipeline.privacy.DonorPseudonymizer;
import dev.clipcurate.schemas.ConsentEvent;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;

/**
 * Parses consent messages against schemas/consent_event.avsc and pseudonymises the donor at once. A message
 * that is not a valid event is logged with its position and reason code ({@code malformed_json},
 * {@code schema_violation}, {@code processing_error}) and counted (metric consentEventsInvalid), never guessed at
 * and never stopping the stream: a clip whose donor has no valid grant is rejected no_consent.
 */
public class ParseConsentEvent extends ProcessFunction<DonationMessage, ConsentUpdate> {
    private static final Logger LOG = LoggerFactory.getLogger(ParseConsentEvent.class);
    private final DonorPseudonymizer pseudonymizer;
    private transient Counter invalid;

    public ParseConsentEvent(DonorPseudonymizer pseudonymizer) {
        this.pseudonymizer = pseudonymizer;
    }

    @Override
    public void open(OpenContext context) {
        invalid = getRuntimeContext().getMetricGroup().counter("consentEventsInvalid");
    }

    @Override
    public void processElement(DonationMessage message, Context ctx, Collector<ConsentUpdate> out) {
        ConsentUpdate update;
        try {
            update = parse(message, pseudonymizer);
        } catch (IllegalArgumentException e) {
            invalid.inc();
            LOG.warn("ignored consent message {}/{}@{}: {}", message.topic, message.partition, message.offset, e.getMessage());
            return;
        }
        out.collect(update);
    }

    /**
     * The event of a consent message; an IllegalArgumentException that says what is wrong with it (never quoting
     * it), and no other exception, whatever the bytes.
     */
    public static ConsentUpdate parse(DonationMessage message, DonorPseudonymizer pseudonymizer) {
        try {
            return parseChecked(message, pseudonymizer);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            // the safety net: one event must not stop the consent stream, and every clip waits for that stream
            if (!dev.clipcurate.pipeline.intake.SafetyNet.isDonationsFault(e)) throw e;
            throw new IllegalArgumentException("processing_error: unexpected " + e.getClass().getName()
                    + " while parsing a consent event");
        }
    }

    private static ConsentUpdate parseChecked(DonationMessage message, DonorPseudonymizer pseudonymizer) {
        ConsentEvent event;
        try {
            event = AvroJson.toRecord(AvroJson.readUntrusted(message.value), ConsentEvent.class);
        } catch (AvroJson.SchemaViolation e) {
            throw new IllegalArgumentException("schema_violation: not a consent event: " + e.getMessage());
        } catch (AvroJson.MalformedJson e) {
            throw new IllegalArgumentException("malformed_json: " + e.getMessage());
        }
        // the same checks as the publisher's, so that a hand-written event is judged the same way
        try {
            ConsentPublisher.event(event.getDonorId(), event.getAction(), event.getScope(), event.getConsentVersion(),
                    Instant.EPOCH, event.getRecordedBy());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("schema_violation: " + e.getMessage());
        }
        String problem = dev.clipcurate.pipeline.intake.DonationParser.instantProblem(event.getAt());
        if (problem != null) throw new IllegalArgumentException("schema_violation: field 'at' " + problem);
        Instant at = Instant.parse(event.getAt());
        ConsentUpdate u = new ConsentUpdate();
        u.donorPseudonym = pseudonymizer.pseudonymize(event.getDonorId());
        u.action = event.getAction();
        u.scope = event.getScope();
        u.consentVersion = event.getConsentVersion();
        u.atMillis = at.toEpochMilli();
        u.topic = message.topic;
        u.partition = message.partition;
        u.offset = message.offset;
        return u;
    }
}
