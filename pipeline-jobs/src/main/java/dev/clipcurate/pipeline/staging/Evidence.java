package dev.clipcurate.pipeline.staging;

import java.util.Locale;

/** The kinds of evidence the labeller weighs; their weights (log-odds toward staged) are set per campaign. */
public enum Evidence {
    /** The donor says the incident was staged. */
    DECLARED_STAGED,
    /** The donor says the incident was real. */
    DECLARED_REAL,
    /** Another camera of the same donor recorded at the same time (re-enactments are often filmed from two angles). */
    MULTI_CAMERA,
    /** The same donor sent other clips of similar length from the same camera shortly before or after (takes). */
    REPEATED_SCENE,
    /** The camera rarely records at this hour of the day. */
    UNUSUAL_TIME,
    /** The model sees a person from the first frame on (a recording started by hand, actors in place). */
    PERSON_AT_START,
    /** The first frame is empty and a person appears later (a motion-triggered recording). */
    PERSON_ENTERS;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Evidence ofCode(String code) {
        for (Evidence e : values()) if (e.code().equals(code)) return e;
        throw new IllegalArgumentException("unknown evidence '" + code + "'; known: "
                + java.util.Arrays.stream(values()).map(Evidence::code).toList());
    }
}
