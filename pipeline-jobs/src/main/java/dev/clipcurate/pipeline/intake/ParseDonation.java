package dev.clipcurate.pipeline.intake;

import dev.clipcurate.pipeline.job.Progress;
import dev.clipcurate.pipeline.privacy.DonorPseudonymizer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Parses and validates donation messages; a bad message becomes a rejected row, never a job failure. */
public class ParseDonation extends ProcessFunction<DonationMessage, ClipTask> {
    private static final Logger LOG = LoggerFactory.getLogger(ParseDonation.class);
    private final DonorPseudonymizer pseudonymizer;
    private final String buildId;
    private transient DonationParser parser;
    private transient Counter rejected;
    private transient org.apache.flink.api.common.accumulators.LongCounter messages;

    public ParseDonation(DonorPseudonymizer pseudonymizer, String buildId) {
        this.pseudonymizer = pseudonymizer;
        this.buildId = buildId;
    }

    @Override
    public void open(OpenContext context) {
        parser = new DonationParser(pseudonymizer);
        rejected = getRuntimeContext().getMetricGroup().counter("messagesRejected");
        messages = getRuntimeContext().getLongCounter(Progress.MESSAGES);
    }

    @Override
    public void processElement(DonationMessage message, Context ctx, Collector<ClipTask> out) {
        messages.add(1);
        try {
            out.collect(parser.parse(message));
        } catch (ClipRejected e) {
            rejected.inc();
            LOG.warn("rejected message {}-{}@{}: {} ({})", message.topic, message.partition, message.offset,
                    e.reason().code(), e.getMessage());
            ctx.output(Decisions.TAG, Decisions.unparsed(message, e, DonationParser.bestEffortClipId(message), buildId));
        }
    }
}
