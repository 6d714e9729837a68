package dev.clipcurate.pipeline.dedup;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.List;

/**
 * Keyed by {@link ClipKey}: keeps every clip's fingerprint and answers candidate pairs naming it as the earlier clip with a
 * {@link Probe} to the later clip, once per pair (a clip may be named again by a later run of its lookups). A pair that
 * arrives before the fingerprint waits for it.
 */
public class FingerprintStore extends KeyedCoProcessFunction<Long, ClipFingerprint, CandidatePair, Probe> {
    private transient ValueState<ClipFingerprint> fingerprint;
    /** Later clip id → its epoch, or {@link #ANSWERED} once its probe was sent. */
    private transient MapState<String, Long> requests;
    private static final long ANSWERED = Long.MIN_VALUE;

    @Override
    public void open(OpenContext context) {
        fingerprint = getRuntimeContext().getState(new ValueStateDescriptor<>("fingerprint", ClipFingerprint.class));
        requests = getRuntimeContext().getMapState(new MapStateDescriptor<>("probe-requests", Types.STRING, Types.LONG));
    }

    @Override
    public void processElement1(ClipFingerprint f, Context ctx, Collector<Probe> out) throws Exception {
        fingerprint.update(f);
        List<String> waiting = new ArrayList<>();
        for (var r : requests.entries()) if (r.getValue() != ANSWERED) waiting.add(r.getKey());
        for (String clip : waiting) answer(clip, requests.get(clip), f, out);
    }

    @Override
    public void processElement2(CandidatePair pair, Context ctx, Collector<Probe> out) throws Exception {
        if (requests.contains(pair.clipId)) return;
        ClipFingerprint f = fingerprint.value();
        if (f == null) requests.put(pair.clipId, pair.clipEpoch);
        else answer(pair.clipId, pair.clipEpoch, f, out);
    }

    private void answer(String clip, long clipEpoch, ClipFingerprint f, Collector<Probe> out) throws Exception {
        Probe p = new Probe();
        p.clipId = clip;
        p.clipEpoch = clipEpoch;
        p.earlier = f;
        out.collect(p);
        requests.put(clip, ANSWERED);
    }
}
