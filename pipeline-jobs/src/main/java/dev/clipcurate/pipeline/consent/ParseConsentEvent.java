package dev.clipcurate.pipeline.consent;

import com.fasterxml.jackson.databind.JsonNode;
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
 * that is not a valid event is logged with its position and counted (metric consentEventsInvalid), never
 * guessed at: a clip whose donor has no valid grant is rejected no_consent.
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
        try {
            out.collect(parse(message, pseudonymizer));
        } catch (IllegalArgumentException e) {
            invalid.inc();
            LOG.warn("ignored consent message {}/{}@{}: {}", message.topic, message.partition, message.offset, e.getMessage());
        }
    }

    /** The event of a consent message; an IllegalArgumentException that says what is wrong with it. */
    public static ConsentUpdate parse(DonationMessage message, DonorPseudonymizer pseudonymizer) {
        ConsentEvent event;
        try {
            JsonNode json = AvroJson.MAPPER.readTree(message.value);
            if (json == null || json.isMissingNode()) throw new IllegalArgumentException("empty message");
            event = AvroJson.toRecord(json, ConsentEvent.class);
        } catch (AvroJson.SchemaViolation e) {
            throw new IllegalArgumentException("not a consent event: " + e.getMessage());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not valid JSON");
        }
        // the same checks as the publisher's, so that a hand-written event is judged the same way
        ConsentPublisher.event(event.getDonorId(), event.getAction(), event.getScope(), event.getConsentVersion(),
                Instant.EPOCH, event.getRecordedBy());
        Instant at;
        try {
            at = Instant.parse(event.getAt());
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("field 'at' must be an ISO-8601 instant such as 2026-11-20T18:04:05Z");
        }
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
