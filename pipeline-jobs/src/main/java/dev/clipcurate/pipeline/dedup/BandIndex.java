package dev.clipcurate.pipeline.dedup;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The near-duplicate index, keyed by band key ({@link BandKeys}), so that it spreads over the parallel subtasks and
 * lives in checkpointed keyed state (RocksDB for large indexes). Stored hashes stay. A lookup waits until the
 * watermark passes its clip's stamp, so that every clip stamped before it has stored its hashes (in a batch build:
 * until the key's input is complete), then meets the hashes stored under its band key: each other clip within
 * {@value BandKeys#CANDIDATE_BITS} bits becomes a {@link CandidatePair}, directed from the later clip to the earlier
 * one in {@link DedupOrder}, so the result does not depend on arrival order or parallelism. Two clips of earlier
 * versions are never paired: both are kept already.
 */
public class BandIndex extends KeyedProcessFunction<Integer, IndexedHash, CandidatePair> {
    private transient ListState<IndexedHash> stored;
    private transient ListState<IndexedHash> lookups;
    private transient Counter candidates;
    private transient LongCounter lookupNanos;
    private transient LongCounter lookupCount;
    /** Accumulators: time spent looking up, and lookups done (the index benchmark reads them). */
    public static final String LOOKUP_NANOS = "dedup-lookup-nanos";
    public static final String LOOKUPS = "dedup-lookups";

    @Override
    public void open(OpenContext context) {
        stored = getRuntimeContext().getListState(new ListStateDescriptor<>("band-index", IndexedHash.class));
        lookups = getRuntimeContext().getListState(new ListStateDescriptor<>("band-lookups", IndexedHash.class));
        candidates = getRuntimeContext().getMetricGroup().counter("dedupCandidatePairs");
        lookupNanos = getRuntimeContext().getLongCounter(LOOKUP_NANOS);
        lookupCount = getRuntimeContext().getLongCounter(LOOKUPS);
    }

    @Override
    public void processElement(IndexedHash hash, Context ctx, Collector<CandidatePair> out) throws Exception {
        if (hash.stored) {
            stored.add(hash);
        } else {
            lookups.add(hash);
            ctx.timerService().registerEventTimeTimer(hash.epoch);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<CandidatePair> out) throws Exception {
        List<IndexedHash> due = new ArrayList<>();
        List<IndexedHash> later = new ArrayList<>();
        for (IndexedHash h : lookups.get()) (h.epoch <= timestamp ? due : later).add(h);
        if (due.isEmpty()) return;
        long started = System.nanoTime();
        lookups.update(later);
        Set<String> paired = new HashSet<>();
        for (IndexedHash other : stored.get()) {
            for (IndexedHash lookup : due) {
                if (other.clipId.equals(lookup.clipId) || !BandKeys.near(other.hash, lookup.hash)) continue;
                if (!paired.add(lookup.clipId + "\n" + other.clipId)) continue;
                candidates.inc();
                out.collect(lookup.before(other) ? CandidatePair.of(other, lookup) : CandidatePair.of(lookup, other));
            }
        }
        lookupNanos.add(System.nanoTime() - started);
        lookupCount.add(due.size());
    }
}
