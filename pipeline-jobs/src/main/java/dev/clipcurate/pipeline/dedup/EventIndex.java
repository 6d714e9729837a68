package dev.clipcurate.pipeline.dedup;

import org.apache.flink.api.common.accumulators.Histogram;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.util.BitSet;
import java.util.List;

/**
 * The near-duplicate index, in checkpointed keyed state (RocksDB for large indexes) spread over the subtasks by
 * Flink key group. Records are {@link IndexBatch}es: a clip's index keys ({@link IndexKeys}) of one key group, keyed
 * by {@link IndexBatch#route}, that group's one Flink key; under it a map state holds, per index key, the postings,
 * 36 bytes each (clip key, epoch, capture time, sketch, time in clip), at most {@link #cap} of them. A full key
 * (a busy camera's events that look alike) spills further postings into overflow keys chosen by the next bits of
 * their sketch ({@link IndexKeys#overflowKey}, {@link IndexKeys#OVERFLOW_LEVELS} levels deep), so a crowded key
 * loses nothing while a lookup reads at most {@link #cap} postings per key and follows only its own branch.
 * (One Flink key per group, not per index key, so that a batch build, which holds the state of one Flink key at a
 * time, holds a group's whole index while it answers it.)
 *
 * <p>A lookup batch waits, as the namespace of one event-time timer
 * (so a pending lookup costs no state access), until the watermark passes its clip's stamp, so that every clip
 * stamped before it has stored its postings (in a batch build: until the input is complete); it then reads each of
 * its keys once (and, under a full key, its own overflow branch) and answers with one {@link IndexHit}: the postings of earlier clips in {@link DedupOrder} closest
 * to each of its sketches ({@link IndexKeys#answer}). Two clips of earlier versions never meet: both are kept already.
 */
public class EventIndex extends AbstractStreamOperator<IndexHit>
        implements OneInputStreamOperator<IndexBatch, IndexHit>, Triggerable<Integer, IndexBatch> {
    /** Most postings under one key (overflow keys included): 2.3 KB, read in one go. */
    public static final int DEFAULT_CAP = 64;
    /**
     * The index's key groups (Flink's maximum parallelism for it, the default for jobs below 86 subtasks): a looked-up
     * clip sends at most this many batches.
     */
    public static final int MAX_PARALLELISM = 128;
    /** Accumulators read by the index benchmark. */
    public static final String LOOKUP_NANOS = "dedup-lookup-nanos";
    public static final String LOOKUPS = "dedup-lookups";
    public static final String KEYS_READ = "dedup-keys-read";
    public static final String POSTINGS = "dedup-postings";
    public static final String POSTINGS_DROPPED = "dedup-postings-dropped";
    /** Postings stored under overflow keys (their key was full). */
    public static final String POSTINGS_SPILLED = "dedup-postings-spilled";
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
    private transient MapState<Integer, byte[]> postings;
    private transient InternalTimerService<IndexBatch> pending;
    private transient LongCounter lookupNanos, pendingNanos, answerNanos, hitCount, lookups, keysRead, stored, dropped, spilled, read, keys;
    private transient Histogram keyFill;
    private transient Counter hits;
    /** Motion keys that hold postings: a lookup of any other key needs no state access (most keys are empty). */
    private transient BitSet occupied;
    private transient IndexKeys.Postings unpacked;

    /** @param cap most postings kept under one key */
    public EventIndex(IndexKeys.Layout layout, int cap) {
        this.layout = layout;
        this.cap = cap;
    }

    @Override
    public void open() throws Exception {
        super.open();
        postings = getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                new MapStateDescriptor<>("postings", Types.INT, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        pending = getInternalTimerService("lookups",
                TypeInformation.of(IndexBatch.class).createSerializer(getExecutionConfig().getSerializerConfig()), this);
        var context = getRuntimeContext();
        lookupNanos = context.getLongCounter(LOOKUP_NANOS);
        pendingNanos = context.getLongCounter(PENDING_NANOS);
        answerNanos = context.getLongCounter(ANSWER_NANOS);
        hitCount = context.getLongCounter(HITS);
        lookups = context.getLongCounter(LOOKUPS);
        keysRead = context.getLongCounter(KEYS_READ);
        stored = context.getLongCounter(POSTINGS);
        dropped = context.getLongCounter(POSTINGS_DROPPED);
        spilled = context.getLongCounter(POSTINGS_SPILLED);
        read = context.getLongCounter(POSTINGS_READ);
        keys = context.getLongCounter(KEYS);
        keyFill = context.getHistogram(KEY_FILL);
        hits = getMetricGroup().counter("dedupIndexHits");
        unpacked = new IndexKeys.Postings();
        occupied = new BitSet(MotionSketch.TABLES << 24);
        List<Object> routes; // after a restore
        try (var keys = getKeyedStateBackend().<VoidNamespace>getKeys("postings", VoidNamespace.INSTANCE)) {
            routes = keys.toList();
        }
        for (Object route : routes) {
            setCurrentKey(route);
            for (Integer key : postings.keys()) markOccupied(key);
        }
    }

    private void markOccupied(int key) {
        if (IndexKeys.isMotion(key)) occupied.set(key);
    }

    private boolean mayHold(int key) {
        return !IndexKeys.isMotion(key) || occupied.get(key);
    }

    @Override
    public void processElement(StreamRecord<IndexBatch> record) throws Exception {
        IndexBatch b = record.getValue();
        if (b.stored) {
            for (int i = 0; i < b.keys.length; i++) store(b, i);
        } else {
            long started = System.nanoTime();
            pending.registerEventTimeTimer(b, b.epoch);
            long spent = System.nanoTime() - started;
            lookupNanos.add(spent);
            pendingNanos.add(spent);
        }
    }

    /** Stores key {@code i}'s postings, each under the key or, once that is full, its overflow keys. */
    private void store(IndexBatch b, int i) throws Exception {
        for (int s = b.from(i); s < b.ends[i]; s++) {
            int key = b.keys[i];
            for (int level = 0; ; level++) {
                if (level > IndexKeys.OVERFLOW_LEVELS) {
                    dropped.add(1);
                    break;
                }
                int at = level == 0 ? key : IndexKeys.overflowKey(key, b.sketches[s], level, layout);
                byte[] old = postings.get(at);
                int have = old == null ? 0 : old.length / IndexKeys.Postings.BYTES;
                if (have >= cap) continue;
                if (have == 0) {
                    keys.add(1);
                    markOccupied(at);
                }
                keyFill.add(have + 1);
                if (level > 0) spilled.add(1);
                postings.put(at, IndexKeys.Postings.append(old, b, s, s + 1));
                stored.add(1);
                break;
            }
        }
    }

    @Override
    public void onEventTime(InternalTimer<Integer, IndexBatch> timer) throws Exception {
        long started = System.nanoTime();
        IndexBatch b = timer.getNamespace();
        lookups.add(b.keys.length);
        ClipHits found = new ClipHits();
        for (int i = 0; i < b.keys.length; i++) {
            if (!mayHold(b.keys[i])) continue;
            if (!answer(b, i, b.keys[i], b.from(i), b.ends[i], found)) continue;
            // a full key spilled: each sketch follows its own branch of overflow keys while they are full
            for (int s = b.from(i); s < b.ends[i]; s++) {
                for (int level = 1; level <= IndexKeys.OVERFLOW_LEVELS; level++) {
                    if (!answer(b, i, IndexKeys.overflowKey(b.keys[i], b.sketches[s], level, layout), s, s + 1, found)) break;
                }
            }
        }
        if (found.size() > 0) {
            hits.inc(found.size());
            hitCount.add(found.size());
            output.collect(new StreamRecord<>(found.toHit(b.clipId, b.epoch), b.epoch));
        }
        long spent = System.nanoTime() - started;
        lookupNanos.add(spent);
        answerNanos.add(spent);
    }

    /** Answers the sketches {@code [from, to)} of key {@code i} from the postings under {@code at}; whether {@code at} is full. */
    private boolean answer(IndexBatch b, int i, int at, int from, int to, ClipHits found) throws Exception {
        byte[] value = postings.get(at);
        if (value == null) return false;
        keysRead.add(1);
        read.add(value.length / IndexKeys.Postings.BYTES);
        IndexKeys.answer(b, i, from, to, unpacked.unpack(value), layout, found);
        return value.length / IndexKeys.Postings.BYTES >= cap;
    }

    @Override
    public void onProcessingTime(InternalTimer<Integer, IndexBatch> timer) {}
}
