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
 * (a busy camera's events that look alike) splits: its postings move into overflow keys chosen by the next bits of
 * their sketches ({@link IndexKeys#stateKey}, down to {@link IndexKeys#OVERFLOW_LEVELS} levels) and it is removed
 * (its overflow keys are what says it split), so a crowded key keeps its postings (only those sharing the whole path with {@link #cap} others
 * are dropped) while a lookup reads, per sketch, the key its path leads to, and the siblings where the sketch is
 * uncertain in a bit that chose the path (at most {@link #MAX_LEAVES}), never more than {@link #cap} postings
 * each. Which index keys hold postings and which split is kept on the heap (two bitsets of 4 MB per subtask, and
 * the split overflow keys), so that a lookup of an empty key touches no state.
 * (One Flink key per group, not per index key, so that a batch build, which holds the state of one Flink key at a
 * time, holds a group's whole index while it answers it.)
 *
 * <p>A lookup batch waits, as the namespace of one event-time timer
 * (so a pending lookup costs no state access), until the watermark passes its clip's stamp, so that every clip
 * stamped before it has stored its postings (in a batch build: until the input is complete); it then reads each of
 * its keys once (under a split key, the overflow keys its sketches lead to) and answers with one {@link IndexHit}: the postings of earlier clips in {@link DedupOrder} closest
 * to each of its sketches ({@link IndexKeys#answer}). Two clips of earlier versions never meet: both are kept already.
 */
public class EventIndex extends AbstractStreamOperator<IndexHit>
        implements OneInputStreamOperator<IndexBatch, IndexHit>, Triggerable<Integer, IndexBatch> {
    /** Most postings under one key (an overflow key too): 2.3 KB, read in one go. */
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
    /** Postings moved into overflow keys when their key split (a posting that moves twice counts twice). */
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
    private transient MapState<Long, byte[]> postings;
    private transient InternalTimerService<IndexBatch> pending;
    private transient LongCounter lookupNanos, pendingNanos, answerNanos, hitCount, lookups, keysRead, stored, dropped, spilled, read, keys;
    private transient Histogram keyFill;
    private transient Counter hits;
    /**
     * Index keys (by {@link IndexKeys#slot}) that hold postings, so that a lookup of any other key needs no state
     * access, and that split; overflow keys that split.
     */
    private transient BitSet occupied, splitKeys;
    private transient java.util.Set<Long> splitOverflow;
    private transient IndexKeys.Postings unpacked;
    private transient LongList leaves;

    /** @param cap most postings kept under one key */
    public EventIndex(IndexKeys.Layout layout, int cap) {
        this.layout = layout;
        this.cap = cap;
    }

    @Override
    public void open() throws Exception {
        super.open();
        postings = getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                new MapStateDescriptor<>("postings", Types.LONG, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
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
        leaves = new LongList();
        occupied = new BitSet(IndexKeys.SLOTS);
        splitKeys = new BitSet(IndexKeys.SLOTS);
        splitOverflow = new java.util.HashSet<>();
        List<Object> routes; // after a restore
        try (var keys = getKeyedStateBackend().<VoidNamespace>getKeys("postings", VoidNamespace.INSTANCE)) {
            routes = keys.toList();
        }
        for (Object route : routes) {
            setCurrentKey(route);
            // keys only: an overflow key says that the key above it split
            for (long at : postings.keys()) {
                if (isIndexKey(at)) occupied.set(IndexKeys.slot((int) at));
                else markSplit(IndexKeys.parent(at));
            }
        }
    }

    private static boolean isIndexKey(long stateKey) {
        return stateKey >>> 32 == 0;
    }

    private boolean isSplit(long at) {
        return isIndexKey(at) ? splitKeys.get(IndexKeys.slot((int) at)) : splitOverflow.contains(at);
    }

    private void markSplit(long at) {
        if (isIndexKey(at)) {
            occupied.clear(IndexKeys.slot((int) at));
            splitKeys.set(IndexKeys.slot((int) at));
        } else {
            splitOverflow.add(at);
        }
    }

    /** Whether a lookup of {@code at} may find postings (an overflow key below a split key nearly always holds some). */
    private boolean mayHold(long at) {
        return !isIndexKey(at) || occupied.get(IndexKeys.slot((int) at));
    }

    /**
     * The keys a lookup's {@code sketch} under index key {@code key} reads: the key, or below a split key the
     * overflow keys its path leads to, both ways at each of its {@code uncertain} path bits (a re-encoded copy's
     * sketch differs from its source's in such bits), at most {@link #MAX_LEAVES}, its own path first.
     */
    private void leaves(int key, long sketch, long uncertain, int level, long at, LongList out) {
        if (level == IndexKeys.OVERFLOW_LEVELS || !isSplit(at)) {
            if (out.size < MAX_LEAVES && !out.contains(at)) out.add(at);
            return;
        }
        long pathBits = (uncertain >>> (layout.keyBits() + level * IndexKeys.OVERFLOW_BITS)) & ((1L << IndexKeys.OVERFLOW_BITS) - 1);
        for (long flip = 0; flip <= pathBits && out.size < MAX_LEAVES; flip++) {
            if ((flip & ~pathBits) != 0) continue;
            long probe = sketch ^ flip << (layout.keyBits() + level * IndexKeys.OVERFLOW_BITS);
            leaves(key, probe, uncertain, level + 1, IndexKeys.stateKey(key, probe, level + 1, layout), out);
        }
    }

    /** Most keys one lookup sketch reads below a split key. */
    static final int MAX_LEAVES = 8;

    /** The keys one sketch reads (at most {@link #MAX_LEAVES}), reused from sketch to sketch. */
    static final class LongList {
        long[] values = new long[MAX_LEAVES];
        int size;

        void add(long v) {
            values[size++] = v;
        }

        boolean contains(long v) {
            for (int i = 0; i < size; i++) if (values[i] == v) return true;
            return false;
        }
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

    /** Stores key {@code i}'s postings, each under the key or the overflow key its sketch leads to; splits a full key. */
    private void store(IndexBatch b, int i) throws Exception {
        int key = b.keys[i];
        for (int s = b.from(i); s < b.ends[i]; s++) {
            while (true) {
                long at = IndexKeys.stateKey(key, b.sketches[s], 0, layout);
                int level = 0;
                while (isSplit(at) && level < IndexKeys.OVERFLOW_LEVELS) at = IndexKeys.stateKey(key, b.sketches[s], ++level, layout);
                byte[] old = postings.get(at);
                int have = old == null ? 0 : old.length / IndexKeys.Postings.BYTES;
                if (have >= cap) {
                    if (level == IndexKeys.OVERFLOW_LEVELS) {
                        dropped.add(1);
                        break;
                    }
                    splitKey(key, at, level, old);
                    continue;
                }
                if (have == 0) {
                    keys.add(1);
                    if (isIndexKey(at)) occupied.set(IndexKeys.slot((int) at));
                }
                keyFill.add(have + 1);
                postings.put(at, IndexKeys.Postings.append(old, b, s, s + 1));
                stored.add(1);
                break;
            }
        }
    }

    /** Moves the postings under {@code at} (level {@code level} of {@code key}) one level down, each by its sketch. */
    private void splitKey(int key, long at, int level, byte[] full) throws Exception {
        java.util.Map<Long, java.io.ByteArrayOutputStream> children = new java.util.LinkedHashMap<>();
        IndexKeys.Postings view = new IndexKeys.Postings().over(full);
        for (int p = 0; p < view.size; p++) {
            long child = IndexKeys.stateKey(key, view.sketch(p), level + 1, layout);
            children.computeIfAbsent(child, c -> new java.io.ByteArrayOutputStream())
                    .write(full, p * IndexKeys.Postings.BYTES, IndexKeys.Postings.BYTES);
        }
        // a key's overflow keys are its own (the path is in the state key): none of them exists before it splits
        for (var child : children.entrySet()) {
            postings.put(child.getKey(), child.getValue().toByteArray());
            keys.add(1);
        }
        postings.remove(at);
        keys.add(-1);
        markSplit(at);
        spilled.add(view.size);
    }

    @Override
    public void onEventTime(InternalTimer<Integer, IndexBatch> timer) throws Exception {
        long started = System.nanoTime();
        IndexBatch b = timer.getNamespace();
        lookups.add(b.keys.length);
        ClipHits found = new ClipHits();
        for (int i = 0; i < b.keys.length; i++) {
            int key = b.keys[i];
            long at = IndexKeys.stateKey(key, 0, 0, layout);
            if (!isSplit(at)) {
                answer(b, i, at, b.from(i), b.ends[i], found);
                continue;
            }
            // each sketch reads the overflow keys its path (and its uncertain bits) lead to
            for (int s = b.from(i); s < b.ends[i]; s++) {
                leaves.size = 0;
                leaves(key, b.sketches[s], b.uncertain == null ? 0 : b.uncertain[s], 0, at, leaves);
                for (int l = 0; l < leaves.size; l++) answer(b, i, leaves.values[l], s, s + 1, found);
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

    /** Answers the sketches {@code [from, to)} of key {@code i} from the postings under {@code at}. */
    private void answer(IndexBatch b, int i, long at, int from, int to, ClipHits found) throws Exception {
        if (!mayHold(at)) return;
        byte[] value = postings.get(at);
        if (value == null) return;
        keysRead.add(1);
        read.add(value.length / IndexKeys.Postings.BYTES);
        IndexKeys.answer(b, i, from, to, unpacked.over(value), layout, found);
    }

    @Override
    public void onProcessingTime(InternalTimer<Integer, IndexBatch> timer) {}
}
