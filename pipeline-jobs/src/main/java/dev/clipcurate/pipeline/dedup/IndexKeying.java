package dev.clipcurate.pipeline.dedup;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.util.Collector;

/** A clip's lookups and postings for the {@link EventIndex} ({@link IndexBatch#of}); times the work for the benchmark. */
public class IndexKeying extends RichFlatMapFunction<ClipFingerprint, IndexBatch> {
    /** Accumulator: nanoseconds spent computing sketches and keys. */
    public static final String NANOS = "dedup-keying-nanos";
    private final IndexKeys.Layout layout;
    private transient LongCounter nanos;

    public IndexKeying(IndexKeys.Layout layout) {
        this.layout = layout;
    }

    @Override
    public void open(OpenContext context) {
        nanos = getRuntimeContext().getLongCounter(NANOS);
    }

    @Override
    public void flatMap(ClipFingerprint f, Collector<IndexBatch> out) {
        long started = System.nanoTime();
        var entries = IndexBatch.of(f, layout, EventIndex.MAX_PARALLELISM);
        nanos.add(System.nanoTime() - started);
        entries.forEach(out::collect);
    }
}
