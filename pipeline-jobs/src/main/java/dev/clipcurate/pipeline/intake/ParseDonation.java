package dev.clipcurate.pipeline.intake;

import dev.clipcurate.pipeline.job.Progress;
import dev.clipcurate.pipeline.privacy.DonorPseudonymizer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/** Parses and validates donation messages; a bad message becomes a rejected row, never a job failure. */
public class ParseDonation extends ProcessFunction<DonationMessage, ClipTask> {
    static final String NAME = "intake: parse donation";
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
    public void processElement(DonationMessage message, Context ctx, Collector<ClipTask> out) throws Exception {
        messages.add(1);
        ClipTask task = SafetyNet.judge(NAME, message, buildId, row -> {
            rejected.inc();
            ctx.output(Decisions.TAG, row);
        }, () -> parser.parse(message));
        if (task != null) out.collect(task);
    }
}
