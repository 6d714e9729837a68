package dev.clipcurate.pipeline.consent;

import dev.clipcurate.pipeline.intake.ClipRejected;
import dev.clipcurate.pipeline.intake.ClipTask;
import dev.clipcurate.pipeline.intake.Decisions;
import dev.clipcurate.pipeline.intake.RejectReason;
import dev.clipcurate.pipeline.intake.SafetyNet;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Keyed by donor pseudonym: lets a clip on only when its donor's consent for the job's scope holds, and rejects
 * it {@code no_consent} otherwise. The consent events are broadcast state, every donor's whole history.
 *
 * <p>Batch builds read the consent topic completely before any clip (Flink processes broadcast inputs first in
 * BATCH mode) and judge every clip as of the build's start, so the answer does not depend on the order clips
 * arrive in. A streaming run reads the consent topic from its beginning alongside the donations: until it has
 * read every event that was on the topic when the run started, no clip is judged (a grant read early could be
 * followed by its revocation). After that a clip is judged at processing time; one whose donor has no grant yet
 * waits up to {@code waitMillis} for it (the app may publish the grant just before the donation), then is
 * rejected. When both inputs end (a bounded run, a drain) every waiting clip is judged at once.
 */
public class CheckConsent extends KeyedBroadcastProcessFunction<String, ClipTask, ConsentUpdate, ClipTask> {
    private static final Logger LOG = LoggerFactory.getLogger(CheckConsent.class);
    static final String NAME = "consent: check";
    public static final MapStateDescriptor<String, ConsentHistory> HISTORIES = new MapStateDescriptor<>(
            "consent-histories", Types.STRING, TypeInformation.of(ConsentHistory.class));
    /** Per consent partition: the offset after the last event read. Broadcast, so every instance agrees. */
    public static final MapStateDescriptor<Integer, Long> READ_UP_TO = new MapStateDescriptor<>(
            "consent-read-up-to", Types.INT, Types.LONG);
    private static final ListStateDescriptor<ClipTask> WAITING =
            new ListStateDescriptor<>("waiting-for-consent", TypeInformation.of(ClipTask.class));

    private final String scope;
    private final long asOfMillis;
    private final long waitMillis;
    private final Map<Integer, Long> catchUpTo;
    private final String buildId;
    private transient ListState<ClipTask> waiting;
    private transient Counter noConsent;

    /**
     * @param asOfMillis the instant batch builds judge at; negative: judge at processing time (streaming)
     * @param waitMillis streaming: how long a clip without consent waits for later consent events; 0: decide at once
     * @param catchUpTo  streaming: per consent partition, the end offset when the run started: no clip is judged
     *                   before the events up to there are read; empty in batch builds
     */
    public CheckConsent(String scope, long asOfMillis, long waitMillis, Map<Integer, Long> catchUpTo, String buildId) {
        this.scope = scope;
        this.asOfMillis = asOfMillis;
        this.waitMillis = waitMillis;
        this.catchUpTo = Map.copyOf(catchUpTo);
        this.buildId = buildId;
    }

    @Override
    public void open(OpenContext context) {
        waiting = getRuntimeContext().getListState(WAITING);
        noConsent = getRuntimeContext().getMetricGroup().counter("clipsWithoutConsent");
    }

    private boolean streaming() {
        return asOfMillis < 0;
    }

    @Override
    public void processBroadcastElement(ConsentUpdate event, Context ctx, Collector<ClipTask> out) throws Exception {
        boolean wasCaughtUp = caughtUp(ctx.getBroadcastState(READ_UP_TO));
        var histories = ctx.getBroadcastState(HISTORIES);
        ConsentHistory history = histories.get(event.donorPseudonym);
        histories.put(event.donorPseudonym, (history == null ? new ConsentHistory() : history).with(event));
        var readUpTo = ctx.getBroadcastState(READ_UP_TO);
        Long read = readUpTo.get(event.partition);
        readUpTo.put(event.partition, Math.max(read == null ? 0 : read, event.offset + 1));
        if (!streaming()) return;

        long now = ctx.currentProcessingTime();
        if (!wasCaughtUp && caughtUp(readUpTo)) {
            // everything on the topic at the start is read now: judge every clip held until then
            ctx.applyToKeyedState(WAITING, (donor, clips) -> release(clips, histories, now, out, null));
        } else if (wasCaughtUp && event.isGrant()) {
            // a grant published just now: the donor's clips waiting for it go on at once
            ctx.applyToKeyedState(WAITING, (donor, clips) -> {
                if (donor.equals(event.donorPseudonym)) release(clips, histories, now, out, null);
            });
        }
    }

    @Override
    public void processElement(ClipTask clip, ReadOnlyContext ctx, Collector<ClipTask> out) throws Exception {
        long now = ctx.currentProcessingTime();
        var histories = ctx.getBroadcastState(HISTORIES);
        long asOf = streaming() ? now : asOfMillis;
        boolean readable = !streaming() || caughtUp(ctx.getBroadcastState(READ_UP_TO));
        Optional<ConsentUpdate> grant = SafetyNet.judge(NAME, clip, buildId, row -> ctx.output(Decisions.TAG, row),
                () -> Optional.ofNullable(readable ? grant(histories, clip.donorPseudonym, asOf) : null));
        if (grant == null) return; // its processing_error row is out
        if (grant.isPresent()) {
            out.collect(withConsent(clip, grant.get(), asOf));
            return;
        }
        if (!streaming()) {
            ctx.output(Decisions.TAG, rejection(clip, histories, asOfMillis, false));
            return;
        }
        clip.consentWaitUntilMs = now + waitMillis;
        waiting.add(clip);
        ctx.timerService().registerProcessingTimeTimer(clip.consentWaitUntilMs);
        ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
    }

    /**
     * A processing-time timer ends a wait; the event-time timer at the end of time fires when both inputs have
     * ended (a bounded run, or a drain): every clip still waiting is judged then, with all consent read.
     */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ClipTask> out) throws Exception {
        long now = ctx.currentProcessingTime();
        boolean inputsEnded = ctx.timeDomain() == TimeDomain.EVENT_TIME;
        var histories = ctx.getBroadcastState(HISTORIES);
        if (!inputsEnded && !caughtUp(ctx.getBroadcastState(READ_UP_TO))) {
            // still replaying the consent topic: nothing can be judged yet, look again later
            LOG.warn("clips of donor {} wait: the consent topic is not read up to where it ended at the start yet",
                    ctx.getCurrentKey());
            ctx.timerService().registerProcessingTimeTimer(now + waitMillis);
            return;
        }
        release(waiting, histories, now, out, rejected -> ctx.output(Decisions.TAG, rejected), inputsEnded);
    }

    private void release(ListState<ClipTask> clips, ReadOnlyBroadcastState<String, ConsentHistory> histories, long now,
                         Collector<ClipTask> out, java.util.function.Consumer<ClipRow> reject) throws Exception {
        release(clips, histories, now, out, reject, false);
    }

    /** Lets go the held clips whose donor has a grant now; rejects those whose wait is over (reject != null). */
    private void release(ListState<ClipTask> clips, ReadOnlyBroadcastState<String, ConsentHistory> histories, long now,
                         Collector<ClipTask> out, java.util.function.Consumer<ClipRow> reject, boolean judgeAll)
            throws Exception {
        List<ClipTask> stillWaiting = new ArrayList<>();
        for (ClipTask clip : clips.get()) {
            ConsentUpdate grant = grant(histories, clip.donorPseudonym, now);
            if (grant != null) {
                out.collect(withConsent(clip, grant, now));
            } else if (reject != null && (judgeAll || clip.consentWaitUntilMs <= now)) {
                reject.accept(rejection(clip, histories, now, true));
            } else {
                stillWaiting.add(clip);
            }
        }
        clips.update(stillWaiting);
    }

    /** Whether every event that was on the consent topic when the run started has been read. */
    private boolean caughtUp(ReadOnlyBroadcastState<Integer, Long> readUpTo) throws Exception {
        for (var end : catchUpTo.entrySet()) {
            Long read = readUpTo.get(end.getKey());
            if ((read == null ? 0 : read) < end.getValue()) return false;
        }
        return true;
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
