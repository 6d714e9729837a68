package dev.clipcurate.pipeline.consent;

import dev.clipcurate.pipeline.intake.ClipRejected;
import dev.clipcurate.pipeline.intake.ClipTask;
import dev.clipcurate.pipeline.intake.Decisions;
import dev.clipcurate.pipeline.intake.RejectReason;
import dev.clipcurate.schemas.ClipRow;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Keyed by donor pseudonym: lets a clip on only when its donor's consent for the job's scope holds, and rejects
 * it {@code no_consent} otherwise. The consent events are broadcast state, every donor's whole history.
 *
 * <p>Batch builds read the consent topic completely before any clip (Flink processes broadcast inputs first in
 * BATCH mode) and judge every clip as of the build's start, so the answer does not depend on the order clips
 * arrive in. A streaming job judges at processing time; a clip whose donor has no grant yet waits up to
 * {@code waitMillis} for the consent topic to catch up (it is read alongside the donations and may lag after a
 * start), then is judged again.
 */
public class CheckConsent extends KeyedBroadcastProcessFunction<String, ClipTask, ConsentUpdate, ClipTask> {
    public static final MapStateDescriptor<String, ConsentHistory> HISTORIES = new MapStateDescriptor<>(
            "consent-histories", Types.STRING, TypeInformation.of(ConsentHistory.class));

    private static final ListStateDescriptor<ClipTask> WAITING =
            new ListStateDescriptor<>("waiting-for-consent", TypeInformation.of(ClipTask.class));

    private final String scope;
    private final long asOfMillis;
    private final long waitMillis;
    private final String buildId;
    private transient ListState<ClipTask> waiting;
    private transient Counter noConsent;

    /**
     * @param asOfMillis the instant batch builds judge at; negative: judge at processing time (streaming)
     * @param waitMillis streaming: how long a clip without consent waits for later consent events; 0: decide at once
     */
    public CheckConsent(String scope, long asOfMillis, long waitMillis, String buildId) {
        this.scope = scope;
        this.asOfMillis = asOfMillis;
        this.waitMillis = waitMillis;
        this.buildId = buildId;
    }

    @Override
    public void open(OpenContext context) {
        waiting = getRuntimeContext().getListState(WAITING);
        noConsent = getRuntimeContext().getMetricGroup().counter("clipsWithoutConsent");
    }

    @Override
    public void processBroadcastElement(ConsentUpdate event, Context ctx, Collector<ClipTask> out) throws Exception {
        var histories = ctx.getBroadcastState(HISTORIES);
        ConsentHistory history = histories.get(event.donorPseudonym);
        ConsentHistory updated = (history == null ? new ConsentHistory() : history).with(event);
        histories.put(event.donorPseudonym, updated);
        if (asOfMillis < 0 && event.isGrant()) {
            // a streaming start reads the consent topic alongside the donations: release the donor's waiting clips now
            long asOf = ctx.currentProcessingTime();
            ConsentUpdate grant = updated.grantAt(scope, asOf);
            if (grant == null) return;
            ctx.applyToKeyedState(WAITING, (donor, clips) -> {
                if (!donor.equals(event.donorPseudonym)) return;
                for (ClipTask clip : clips.get()) out.collect(withConsent(clip, grant, asOf));
                clips.clear();
            });
        }
    }

    @Override
    public void processElement(ClipTask clip, ReadOnlyContext ctx, Collector<ClipTask> out) throws Exception {
        long asOf = asOf(ctx.currentProcessingTime());
        ConsentUpdate grant = grant(ctx.getBroadcastState(HISTORIES), clip.donorPseudonym, asOf);
        if (grant != null) {
            out.collect(withConsent(clip, grant, asOf));
        } else if (waitMillis > 0 && asOfMillis < 0) {
            clip.consentWaitUntilMs = ctx.currentProcessingTime() + waitMillis;
            waiting.add(clip);
            ctx.timerService().registerProcessingTimeTimer(clip.consentWaitUntilMs);
            ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
        } else {
            ctx.output(Decisions.TAG, rejection(clip, ctx.getBroadcastState(HISTORIES), asOf, false));
        }
    }

    /**
     * A processing-time timer ends a wait; the event-time timer at the end of time fires when both inputs have
     * ended (a bounded run, or a drain): every clip still waiting is judged then, with all consent read.
     */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ClipTask> out) throws Exception {
        boolean inputsEnded = ctx.timeDomain() == TimeDomain.EVENT_TIME;
        long now = ctx.currentProcessingTime();
        long asOf = asOf(now);
        List<ClipTask> stillWaiting = new ArrayList<>();
        var histories = ctx.getBroadcastState(HISTORIES);
        for (ClipTask clip : waiting.get()) {
            ConsentUpdate grant = grant(histories, clip.donorPseudonym, asOf);
            if (grant != null) {
                out.collect(withConsent(clip, grant, asOf));
            } else if (!inputsEnded && clip.consentWaitUntilMs > now) {
                stillWaiting.add(clip);
            } else {
                ctx.output(Decisions.TAG, rejection(clip, histories, asOf, true));
            }
        }
        waiting.update(stillWaiting);
    }

    private long asOf(long processingTime) {
        return asOfMillis >= 0 ? asOfMillis : processingTime;
    }

    private ConsentUpdate grant(ReadOnlyBroadcastState<String, ConsentHistory> histories, String donor, long asOf)
            throws Exception {
        ConsentHistory history = histories.get(donor);
        return history == null ? null : history.grantAt(scope, asOf);
    }

    /** The clip, stamped with the grant it goes on with: the manifests cite it, the audit checks it. */
    private ClipTask withConsent(ClipTask clip, ConsentUpdate grant, long asOf) {
        clip.consentScope = grant.scope;
        if (grant.consentVersion != null) clip.consentVersion = grant.consentVersion;
        clip.consentGrantedAt = Instant.ofEpochMilli(grant.atMillis).toString();
        clip.consentEvent = grant.source();
        clip.consentCheckedAt = Instant.ofEpochMilli(asOf).toString();
        clip.consentWaitUntilMs = 0;
        return clip;
    }

    private ClipRow rejection(ClipTask clip, ReadOnlyBroadcastState<String, ConsentHistory> histories, long asOf,
                              boolean waited) throws Exception {
        noConsent.inc();
        ConsentHistory history = histories.get(clip.donorPseudonym);
        ConsentUpdate last = history == null ? null : history.lastAt(scope, asOf);
        String when = Instant.ofEpochMilli(asOf).toString();
        String detail = last == null
                ? "no grant of consent for " + scope + " on the consent topic for this donor as of " + when
                : "consent for " + scope + " was revoked at " + Instant.ofEpochMilli(last.atMillis) + " (" + last.source() + ")";
        if (waited) detail += "; waited " + waitMillis / 1000 + " s for later consent events";
        clip.consentCheckedAt = when;
        return Decisions.rejected(clip, new ClipRejected(RejectReason.NO_CONSENT, detail), buildId);
    }
}
