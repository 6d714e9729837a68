package dev.clipcurate.pipeline.dedup;

import dev.clipcurate.pipeline.intake.ClipTask;
import dev.clipcurate.schemas.ClipRow;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.util.List;

/**
 * Wires the dedup stage in two parts around the decoding pass, which computes the fingerprints:
 *
 * <pre>
 * keyBy(sha256) DropExactCopies → [decoding pass] → ArrivalStamps ─┬─ fingerprints (+ earlier versions')
 *                                                                  │    → IndexKeying → keyBy(key group) EventIndex
 *                                                                  │    → keyBy(clip) CandidateVotes
 *                                                                  │    → keyBy(earlier clip key) FingerprintStore ─ probes ─┐
 *                                                                  └─ keyBy(clip) DecideDuplicates ◄─────────────────────────┘
 * </pre>
 *
 * @param unique    clips that copy no clip kept before them, with their fingerprint
 * @param decisions the manifest rows of the duplicates
 */
public record DedupStage(DataStream<ClipTask> unique, DataStream<ClipRow> decisions) {

    /** Exact copies (the same sha256) stop before any decoding; their rows are this operator's side output. */
    public static SingleOutputStreamOperator<ClipTask> dropExactCopies(DataStream<ClipTask> verified,
                                                                       List<String> earlierClipManifests, boolean batch,
                                                                       String buildId) {
        return verified
                .keyBy((KeySelector<ClipTask, String>) t -> t.sha256, Types.STRING)
                .process(new DropExactCopies(earlierClipManifests, batch, buildId))
                .uid("dedup-exact").name("dedup: drop exact copies");
    }

    /**
     * @param fingerprinted        clips with their fingerprint, straight from the decoding pass
     * @param earlierClipManifests clip manifests of earlier versions, whose accepted clips are kept first
     */
    public static DedupStage decide(StreamExecutionEnvironment env, DataStream<ClipTask> fingerprinted,
                                    List<String> earlierClipManifests, DedupSettings settings, String buildId) {
        DataStream<ClipTask> stamped = fingerprinted
                .assignTimestampsAndWatermarks(new ArrivalStamps())
                .uid("dedup-stamps").name("dedup: arrival stamps");
        DataStream<ClipFingerprint> fingerprints = stamped
                .map(t -> t.fingerprint, TypeInformation.of(ClipFingerprint.class))
                .uid("dedup-fingerprints").name("dedup: fingerprints");
        if (!earlierClipManifests.isEmpty()) {
            fingerprints = fingerprints.union(EarlierFingerprints.read(env, earlierClipManifests));
        }
        DataStream<CandidatePair> candidates = candidates(fingerprints, IndexKeys.Layout.DEFAULT, EventIndex.DEFAULT_CAP);
        DataStream<Probe> probes = fingerprints
                .keyBy((KeySelector<ClipFingerprint, Long>) f -> ClipKey.of(f.clipId), Types.LONG)
                .connect(candidates.keyBy((KeySelector<CandidatePair, Long>) p -> p.earlierClipKey, Types.LONG))
                .process(new FingerprintStore())
                .uid("dedup-fingerprint-store").name("dedup: fingerprint store");
        SingleOutputStreamOperator<ClipTask> unique = stamped
                .keyBy((KeySelector<ClipTask, String>) t -> t.clipId, Types.STRING)
                .connect(probes.keyBy((KeySelector<Probe, String>) p -> p.clipId, Types.STRING))
                .process(new DecideDuplicates(settings, buildId))
                .uid("dedup-decide").name("dedup: verify candidates, decide");
        return new DedupStage(unique, unique.getSideOutput(dev.clipcurate.pipeline.intake.Decisions.TAG));
    }

    /**
     * RocksDB settings the index relies on: pending lookups are timers, kept on the heap (they live for a watermark
     * interval) rather than written to RocksDB; bloom filters answer most lookups of keys a subtask holds no posting for.
     */
    public static final java.util.Map<String, String> ROCKSDB_SETTINGS = java.util.Map.of(
            "state.backend.rocksdb.timer-service.factory", "HEAP",
            "state.backend.rocksdb.use-bloom-filter", "true");

    /** The index part, as the job and the index benchmark run it: each clip's best-voted earlier clips. */
    public static DataStream<CandidatePair> candidates(DataStream<ClipFingerprint> fingerprints, IndexKeys.Layout layout, int cap) {
        return fingerprints
                .flatMap(new IndexKeying(layout), TypeInformation.of(IndexBatch.class))
                .uid("dedup-index-keys").name("dedup: index keys")
                .keyBy((KeySelector<IndexBatch, Integer>) b -> b.route, Types.INT)
                .transform("dedup: event index", TypeInformation.of(IndexHit.class), new EventIndex(layout, cap))
                .uid("dedup-event-index").setMaxParallelism(EventIndex.MAX_PARALLELISM)
                .keyBy((KeySelector<IndexHit, String>) h -> h.clipId, Types.STRING)
                .process(new CandidateVotes())
                .uid("dedup-candidate-votes").name("dedup: vote for candidates");
    }
}
