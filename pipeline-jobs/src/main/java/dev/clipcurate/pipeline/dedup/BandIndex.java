package dev.clipcurate.pipeline.dedup;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.util.HashSet;
import java.util.Set;

/**
 * The near-duplicate index, keyed by band key ({@link BandKeys}), so that it spreads over the parallel subtasks and
 * lives in checkpointed keyed state (RocksDB for large indexes). Every hash of every clip stays indexed; a newcomer
 * is compared with the hashes already under its band key and each clip within {@value BandKeys#CANDIDATE_BITS} bits
 * becomes a {@link CandidatePair}, directed from the later clip to the earlier one in {@link DedupOrder}. The
 * direction does not depend on which of the two arrives first, so a batch build's candidates are the same whatever
 * the parallelism. Two clips of earlier versions are never paired: both are kept already.
 */
public class BandIndex extends KeyedProcessFunction<Integer, IndexedHash, CandidatePair> {
    private transient ListState<IndexedHash> indexed;
    private transient Counter candidates;

    @Override
    public void open(OpenContext context) {
        indexed = getRuntimeContext().getListState(new ListStateDescriptor<>("band-index", IndexedHash.class));
        candidates = getRuntimeContext().getMetricGroup().counter("dedupCandidatePairs");
    }

    @Override
    public void processElement(IndexedHash hash, Context ctx, Collector<CandidatePair> out) throws Exception {
        Set<String> paired = new HashSet<>();
        for (IndexedHash other : indexed.get()) {
            if (other.clipId.equals(hash.clipId) || (other.epoch == 0 && hash.epoch == 0)) continue;
            if (paired.contains(other.clipId) || !BandKeys.near(other.hash, hash.hash)) continue;
            paired.add(other.clipId);
            candidates.inc();
            out.collect(hash.before(other) ? CandidatePair.of(other, hash) : CandidatePair.of(hash, other));
        }
        indexed.add(hash);
    }
}
