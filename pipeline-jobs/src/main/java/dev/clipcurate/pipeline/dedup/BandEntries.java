package dev.clipcurate.pipeline.dedup;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.util.Collector;

/** A clip's lookups and stored entries for the {@link BandIndex} ({@link BandKeys}); counts the stored ones. */
public class BandEntries extends RichFlatMapFunction<ClipFingerprint, IndexedHash> {
    /** Accumulator: entries kept in the index. */
    public static final String STORED = "dedup-stored-entries";
    private final BandKeys.Layout layout;
    private transient LongCounter stored;

    public BandEntries(BandKeys.Layout layout) {
        this.layout = layout;
    }

    @Override
    public void open(OpenContext context) {
        stored = getRuntimeContext().getLongCounter(STORED);
    }

    @Override
    public void flatMap(ClipFingerprint f, Collector<IndexedHash> out) {
        for (IndexedHash h : IndexedHash.of(f, layout)) {
            if (h.stored) stored.add(1);
            out.collect(h);
        }
    }
}
