package dev.clipcurate.pipeline.dedup;

import org.apache.flink.api.common.accumulators.Histogram;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.LatencyMarker;
import org.apache.flink.streaming.runtime.streamrecord.RecordAttributes;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.util.OutputTag;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.nio.ByteBuffer;
import java.util.BitSet;

/**
 * The near-duplicate index, keyed by index key ({@link IndexKeys}) so that it spreads over the subtasks and lives in
 * checkpointed keyed state (RocksDB for large indexes). Under each key one value holds the postings, 36 bytes each
 * (clip key, epoch, capture time, sketch, time in clip), at most {@link #cap} of them: a key that crowded says
 * little, and a lookup never reads more. A lookup waits, as the namespace of an event-time timer (so a pending
 * lookup costs no state access), until the watermark passes its clip's stamp, so that every clip stamped before it
 * has stored its postings (in a batch build: until the key's input is complete); it then reads the key's value once
 * and answers with {@link IndexHit}s: the postings of earlier clips in {@link DedupOrder} closest to each of its
 * sketches ({@link IndexKeys#answer}). Two clips of earlier versions never meet: both are kept already.
 */
public class EventIndex extends AbstractStreamOperator<IndexHit>
        implements OneInputStreamOperator<SketchEntry, IndexHit>, Triggerable<Integer, SketchEntry> {
    static final int POSTING_BYTES = 36;
    /** Most postings under one key: 2.3 KB, read in one go. */
    public static final int DEFAULT_CAP = 64;
    /** Accumulators read by the index benchmark. */
    public static final String LOOKUP_NANOS = "dedup-lookup-nanos";
    public static final String LOOKUPS = "dedup-lookups";
    public static final String POSTINGS = "dedup-postings";
    public static final String POSTINGS_DROPPED = "dedup-postings-dropped";
    public static final String POSTINGS_READ = "dedup-postings-read";
    public static final String KEYS = "dedup-index-keys";
    public static final String HITS = "dedup-index-hits";
    /** Of the lookup time: registering pending lookups, and answering them. */
    public static final String PENDING_NANOS = "dedup-pending-nanos";
    public static final String ANSWER_NANOS = "dedup-answer-nanos";
    /** Histogram: k once for every key that came to hold k postings (keys holding ≥ k = the count at k). */
    public static final String KEY_FILL = "dedup-key-fill";

    private final IndexKeys.Layout layout;
    private final int cap;
    private transient ValueState<byte[]> postings;
    private transient InternalTimerService<SketchEntry> pending;
    private transient LongCounter lookupNanos, pendingNanos, answerNanos, hitCount, lookups, stored, dropped, read, keys;
    private transient Histogram keyFill;
    private transient Counter hits;
    /** Hits of the timers fired so far, sent on before the watermark that fired them (and before any checkpoint). */
    private transient HitGroups buffered;
    /** Motion keys that hold postings: a lookup of any other key needs no state access (most keys are empty). */
    private transient BitSet occupied;
    private static final int FLUSH_HITS = 10_000;

    /** @param cap most postings kept under one key */
    public EventIndex(IndexKeys.Layout layout, int cap) {
        this.layout = layout;
        this.cap = cap;
    }

    @Override
    public void open() throws Exception {
        super.open();
        postings = getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                new ValueStateDescriptor<>("postings", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        pending = getInternalTimerService("lookups",
                TypeInformation.of(SketchEntry.class).createSerializer(getExecutionConfig().getSerializerConfig()), this);
        var context = getRuntimeContext();
        lookupNanos = context.getLongCounter(LOOKUP_NANOS);
        pendingNanos = context.getLongCounter(PENDING_NANOS);
        answerNanos = context.getLongCounter(ANSWER_NANOS);
        hitCount = context.getLongCounter(HITS);
        lookups = context.getLongCounter(LOOKUPS);
        stored = context.getLongCounter(POSTINGS);
        dropped = context.getLongCounter(POSTINGS_DROPPED);
        read = context.getLongCounter(POSTINGS_READ);
        keys = context.getLongCounter(KEYS);
        keyFill = context.getHistogram(KEY_FILL);
        hits = getMetricGroup().counter("dedupIndexHits");
        buffered = new HitGroups();
        occupied = new BitSet();
        try (var keys = getKeyedStateBackend().<VoidNamespace>getKeys("postings", VoidNamespace.INSTANCE)) {
            keys.forEach(key -> markOccupied((Integer) key)); // after a restore
        }
        output = new FlushFirst(output);
    }

    private void markOccupied(int key) {
        if (IndexKeys.isMotion(key)) occupied.set(key);
    }

    private boolean mayHold(int key) {
        return !IndexKeys.isMotion(key) || occupied.get(key);
    }

    private void flush() {
        long started = System.nanoTime();
        for (IndexHit h : buffered.drain()) {
            hits.inc(h.size());
            hitCount.add(h.size());
            output.collect(new StreamRecord<>(h, h.clipEpoch));
        }
        lookupNanos.add(System.nanoTime() - started);
    }

    /** Sends the buffered hits on before a watermark: downstream, a clip is decided once the watermark passes it. */
    private final class FlushFirst implements Output<StreamRecord<IndexHit>> {
        private final Output<StreamRecord<IndexHit>> out;

        FlushFirst(Output<StreamRecord<IndexHit>> out) {
            this.out = out;
        }

        @Override
        public void emitWatermark(Watermark mark) {
            flush();
            out.emitWatermark(mark);
        }

        @Override
        public void emitWatermark(WatermarkEvent watermark) {
            flush();
            out.emitWatermark(watermark);
        }

        @Override
        public void emitWatermarkStatus(WatermarkStatus status) {
            out.emitWatermarkStatus(status);
        }

        @Override
        public <X> void collect(OutputTag<X> tag, StreamRecord<X> record) {
            out.collect(tag, record);
        }

        @Override
        public void emitLatencyMarker(LatencyMarker marker) {
            out.emitLatencyMarker(marker);
        }

        @Override
        public void emitRecordAttributes(RecordAttributes attributes) {
            out.emitRecordAttributes(attributes);
        }

        @Override
        public void collect(StreamRecord<IndexHit> record) {
            out.collect(record);
        }

        @Override
        public void close() {
            out.close();
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    @Override
    public void processElement(StreamRecord<SketchEntry> record) throws Exception {
        SketchEntry e = record.getValue();
        if (e.stored) {
            store(e);
        } else {
            long started = System.nanoTime();
            pending.registerEventTimeTimer(e, e.epoch);
            long spent = System.nanoTime() - started;
            lookupNanos.add(spent);
            pendingNanos.add(spent);
        }
    }

    private void store(SketchEntry e) throws Exception {
        byte[] old = postings.value();
        int have = old == null ? 0 : old.length / POSTING_BYTES;
        int room = Math.max(0, Math.min(e.sketches.length, cap - have));
        dropped.add(e.sketches.length - room);
        if (room == 0) return;
        if (have == 0) {
            keys.add(1);
            markOccupied((Integer) getCurrentKey());
        }
        for (int k = have + 1; k <= have + room; k++) keyFill.add(k);
        ByteBuffer b = ByteBuffer.allocate((have + room) * POSTING_BYTES);
        if (old != null) b.put(old);
        for (int i = 0; i < room; i++) {
            b.putLong(e.clipKey).putLong(e.epoch).putLong(e.captureMs).putLong(e.sketches[i]).putInt(e.atMs[i]);
        }
        postings.update(b.array());
        stored.add(room);
    }

    @Override
    public void onEventTime(InternalTimer<Integer, SketchEntry> timer) throws Exception {
        long started = System.nanoTime();
        SketchEntry lookup = timer.getNamespace();
        lookups.add(1);
        byte[] value = mayHold(lookup.key) ? postings.value() : null;
        if (value != null) {
            ByteBuffer b = ByteBuffer.wrap(value);
            int n = value.length / POSTING_BYTES;
            read.add(n);
            long[] clipKeys = new long[n], epochs = new long[n], captures = new long[n], sketches = new long[n];
            int[] atMs = new int[n];
            for (int p = 0; p < n; p++) {
                int at = p * POSTING_BYTES;
                clipKeys[p] = b.getLong(at);
                epochs[p] = b.getLong(at + 8);
                captures[p] = b.getLong(at + 16);
                sketches[p] = b.getLong(at + 24);
                atMs[p] = b.getInt(at + 32);
            }
            IndexKeys.answer(lookup, new IndexKeys.Postings(clipKeys, sketches, atMs), layout,
                    p -> DedupOrder.before(epochs[p], captures[p], clipKeys[p], lookup.epoch, lookup.captureMs, lookup.clipKey),
                    buffered);
        }
        int found = buffered.hits();
        if (found >= FLUSH_HITS) flush();
        long spent = System.nanoTime() - started;
        lookupNanos.add(spent);
        answerNanos.add(spent);
    }

    @Override
    public void onProcessingTime(InternalTimer<Integer, SketchEntry> timer) {}
}
