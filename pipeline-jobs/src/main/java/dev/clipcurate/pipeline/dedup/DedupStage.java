package dev.clipcurate.pipeline.dedup;

import dev.clipcurate.pipeline.intake.ClipTask;
import dev.clipcurate.pipeline.intake.Decisions;
import dev.clipcurate.pipeline.media.DecodeGuard;
import dev.clipcurate.pipeline.media.DecodeLimits;
import dev.clipcurate.schemas.ClipRow;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.util.List;

/**
 * Wires the dedup stage between the verified landing file and the privacy stage:
 *
 * <pre>
 * keyBy(sha256) DropExactCopies → FingerprintClip → ArrivalStamps ─┬─ fingerprints (+ earlier versions')
 *                                                                  │    → BandEntries → keyBy(band key) BandIndex
 *                                                                  │    → keyBy(earlier clip) FingerprintStore ─ probes ─┐
 *                                                                  └─ keyBy(clip) DecideDuplicates ◄─────────────────────┘
 * </pre>
 *
 * @param unique    clips that copy no clip kept before them, with their fingerprint
 * @param decisions the manifest rows of clips that stop here: duplicates, and files that cannot be decoded
 */
public record DedupStage(DataStream<ClipTask> unique, DataStream<ClipRow> decisions) {

    /**
     * @param batch                true for a batch build (order by capture time), false for a streaming run (by arrival)
     * @param earlierClipManifests clip manifests of earlier versions, whose accepted clips are kept first
     */
    public static DedupStage wire(StreamExecutionEnvironment env, DataStream<ClipTask> verified, List<String> earlierClipManifests,
                                  DedupSettings settings, DecodeLimits jobLimits, DecodeGuard guard, boolean batch,
                                  String buildId) {
        SingleOutputStreamOperator<ClipTask> notCopies = verified
                .keyBy((KeySelector<ClipTask, String>) t -> t.sha256, Types.STRING)
                .process(new DropExactCopies(earlierClipManifests, batch, buildId))
                .uid("dedup-exact").name("dedup: drop exact copies");
        SingleOutputStreamOperator<ClipTask> fingerprinted = notCopies
                .process(new FingerprintClip(jobLimits, guard, !batch, buildId))
                .uid("dedup-fingerprint").name("dedup: decode and fingerprint");
        DataStream<ClipTask> stamped = fingerprinted
                .assignTimestampsAndWatermarks(new ArrivalStamps())
                .uid("dedup-stamps").name("dedup: arrival stamps");
        DataStream<ClipFingerprint> fingerprints = stamped
                .map(t -> t.fingerprint, TypeInformation.of(ClipFingerprint.class))
                .uid("dedup-fingerprints").name("dedup: fingerprints");
        if (!earlierClipManifests.isEmpty()) {
            fingerprints = fingerprints.union(EarlierFingerprints.read(env, earlierClipManifests));
        }
        DataStream<CandidatePair> candidates = fingerprints
                .flatMap(new BandEntries(BandKeys.Layout.DEFAULT), TypeInformation.of(IndexedHash.class))
                .uid("dedup-band-entries").name("dedup: band keys")
                .keyBy((KeySelector<IndexedHash, Integer>) h -> h.bandKey, Types.INT)
                .process(new BandIndex())
                .uid("dedup-band-index").name("dedup: band index");
        DataStream<Probe> probes = fingerprints
                .keyBy((KeySelector<ClipFingerprint, String>) f -> f.clipId, Types.STRING)
                .connect(candidates.keyBy((KeySelector<CandidatePair, String>) p -> p.earlierClipId, Types.STRING))
                .process(new FingerprintStore())
                .uid("dedup-fingerprint-store").name("dedup: fingerprint store");
        SingleOutputStreamOperator<ClipTask> unique = stamped
                .keyBy((KeySelector<ClipTask, String>) t -> t.clipId, Types.STRING)
                .connect(probes.keyBy((KeySelector<Probe, String>) p -> p.clipId, Types.STRING))
                .process(new DecideDuplicates(settings, buildId))
                .uid("dedup-decide").name("dedup: verify candidates, decide");
        return new DedupStage(unique, notCopies.getSideOutput(Decisions.TAG)
                .union(fingerprinted.getSideOutput(Decisions.TAG), unique.getSideOutput(Decisions.TAG)));
    }
}
