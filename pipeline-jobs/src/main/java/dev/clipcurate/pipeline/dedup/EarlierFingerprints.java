package dev.clipcurate.pipeline.dedup;

import dev.clipcurate.pipeline.intake.Decisions;
import dev.clipcurate.pipeline.shards.ManifestFiles;
import dev.clipcurate.schemas.ClipRow;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Seeds the dedup index with the clips earlier versions accepted: their fingerprints are read back from the
 * {@code fingerprint} column of the parent's clip manifests, with epoch 0 so that they are always kept first.
 * Clips accepted before the dedup stage existed have no fingerprint and are not seeded. A bounded stream: its
 * watermark holds a streaming run's decisions back until every earlier clip is indexed.
 */
public final class EarlierFingerprints {
    private static final Logger LOG = LoggerFactory.getLogger(EarlierFingerprints.class);
    private EarlierFingerprints() {}

    public static DataStream<ClipFingerprint> read(StreamExecutionEnvironment env, List<String> clipManifests) {
        return env.fromData(clipManifests, Types.STRING)
                .name("dedup: earlier versions' clip manifests").uid("dedup-earlier-manifests")
                .flatMap(new ReadFingerprints(), TypeInformation.of(ClipFingerprint.class))
                .uid("dedup-earlier-fingerprints").name("dedup: earlier fingerprints");
    }

    static final class ReadFingerprints implements FlatMapFunction<String, ClipFingerprint> {
        @Override
        public void flatMap(String manifest, Collector<ClipFingerprint> out) throws Exception {
            for (ClipRow row : ManifestFiles.read(new Path(manifest), ClipRow.class)) {
                if (!Decisions.ACCEPTED.equals(row.getDecision()) || row.getFingerprint() == null) continue;
                try {
                    out.collect(ClipFingerprint.fromBytes(row.getClipId(), row.getCapturedAt(), 0, row.getFingerprint()));
                } catch (IllegalArgumentException e) {
                    // one damaged row must not stop the build; its clip is just not protected against copies
                    LOG.warn("not seeding clip {} from {}: {}", row.getClipId(), manifest, e.getMessage());
                }
            }
        }
    }
}
