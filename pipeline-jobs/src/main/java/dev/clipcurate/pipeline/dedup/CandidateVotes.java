package dev.clipcurate.pipeline.dedup;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by clip id: gathers the {@link IndexHit}s of one clip's lookups and, once the watermark passes the clip's
 * stamp (every lookup has been answered by then: the index answers before it passes the watermark on), sends the
 * {@link Votes#MAX_CANDIDATES} best-voted earlier clips on as {@link CandidatePair}s.
 */
public class CandidateVotes extends KeyedProcessFunction<String, IndexHit, CandidatePair> {
    private transient ListState<IndexHit> hits;
    private transient Counter pairs;
    private transient Counter cutOff;
    private transient LongCounter lookupNanos;

    @Override
    public void open(OpenContext context) {
        hits = getRuntimeContext().getListState(new ListStateDescriptor<>("index-hits", IndexHit.class));
        pairs = getRuntimeContext().getMetricGroup().counter("dedupCandidatePairs");
        cutOff = getRuntimeContext().getMetricGroup().counter("dedupCandidatesCutOff");
        lookupNanos = getRuntimeContext().getLongCounter(EventIndex.LOOKUP_NANOS);
    }

    @Override
    public void processElement(IndexHit hit, Context ctx, Collector<CandidatePair> out) throws Exception {
        long started = System.nanoTime();
        hits.add(hit);
        ctx.timerService().registerEventTimeTimer(hit.clipEpoch);
        lookupNanos.add(System.nanoTime() - started);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<CandidatePair> out) throws Exception {
        long started = System.nanoTime();
        Iterable<IndexHit> all = hits.get();
        IndexHit any = all.iterator().hasNext() ? all.iterator().next() : null;
        if (any == null) return;
        Votes.Ranked ranked = Votes.rank(all, Votes.MAX_CANDIDATES);
        hits.clear();
        lookupNanos.add(System.nanoTime() - started);
        cutOff.inc(ranked.met() - ranked.best().size());
        for (Votes.Candidate c : ranked.best()) {
            pairs.inc();
            out.collect(CandidatePair.of(any.clipId, any.clipEpoch, c.clipKey()));
        }
    }
}
