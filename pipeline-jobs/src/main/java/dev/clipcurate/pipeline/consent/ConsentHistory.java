package dev.clipcurate.pipeline.consent;

import java.util.Arrays;
import java.util.Comparator;

/**
 * One donor's grants and revocations, in the order they were given. Kept whole rather than as a latest status:
 * a batch build reads the consent topic completely before any clip and must still judge each clip as of the
 * build's start, and an event may name a time later than when it was read.
 */
public class ConsentHistory {
    /** The scope that a grant or revocation of covers every scope. */
    public static final String ALL_SCOPES = "all";
    private static final Comparator<ConsentUpdate> GIVEN_ORDER =
            Comparator.<ConsentUpdate>comparingLong(e -> e.atMillis).thenComparingInt(e -> e.partition)
                    .thenComparingLong(e -> e.offset);

    /** Sorted by time, then topic position. An array: Flink serialises it as a POJO field without Kryo. */
    public ConsentUpdate[] events = new ConsentUpdate[0];

    public ConsentHistory() {}

    /** A copy with the event added; the same history when that event (same topic position) is already in it. */
    public ConsentHistory with(ConsentUpdate event) {
        for (ConsentUpdate e : events) {
            if (e.partition == event.partition && e.offset == event.offset && e.topic.equals(event.topic)) return this;
        }
        ConsentHistory next = new ConsentHistory();
        next.events = Arrays.copyOf(events, events.length + 1);
        next.events[events.length] = event;
        Arrays.sort(next.events, GIVEN_ORDER);
        return next;
    }

    /**
     * The grant that gives consent for {@code scope} at {@code asOfMillis}, or null: the last event for that
     * scope (or for all scopes) at or before that time decides.
     */
    public ConsentUpdate grantAt(String scope, long asOfMillis) {
        ConsentUpdate deciding = lastAt(scope, asOfMillis);
        return deciding != null && deciding.isGrant() ? deciding : null;
    }

    /** The last event for the scope at or before the time, grant or revocation; null when there is none. */
    public ConsentUpdate lastAt(String scope, long asOfMillis) {
        ConsentUpdate deciding = null;
        for (ConsentUpdate e : events) {
            if (e.atMillis > asOfMillis) break;
            if (e.scope.equals(scope) || e.scope.equals(ALL_SCOPES)) deciding = e;
        }
        return deciding;
    }
}
