package dev.clipcurate.pipeline.shards;

import java.util.List;
import java.util.Map;

/**
 * What a build was asked to do, recorded in the version it seals.
 *
 * @param offsets topic → partition → [from, end]: where the build starts reading, and where a bounded build stops
 *                (end -1: unbounded)
 * @param config  the effective options without secrets; its hash goes into the version file as well
 * @param models  model name → sha256 of each model the build used
 * @param parent  the version that was latest when the build started (null: none); the build extends it only
 */
public record BuildInfo(String buildId, String mode, List<String> args, Map<String, Map<Integer, long[]>> offsets,
                        Map<String, Object> config, String codeVersion, Map<String, String> models,
                        java.time.Instant startedAt, String parent)
        implements java.io.Serializable {}
