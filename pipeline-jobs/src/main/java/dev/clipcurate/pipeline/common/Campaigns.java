package dev.clipcurate.pipeline.common;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipcurate.pipeline.scoring.ScoringRules;
import dev.clipcurate.pipeline.staging.StagingRules;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per-campaign rules for scoring and for the staged/real labeller, from campaigns.json: the bundled file
 * (src/main/resources/campaigns.json) with the user's file (option --campaigns) merged over it, key by key.
 * A campaign not listed gets {@code defaults}.
 */
public final class Campaigns implements Serializable {
    public static final String BUNDLED = "/campaigns.json";

    /** What one campaign runs with. */
    public record Rules(@JsonProperty("scoring") ScoringRules scoring, @JsonProperty("staging") StagingRules staging)
            implements Serializable {}

    private final Rules defaults;
    private final TreeMap<String, Rules> campaigns;
    private final String source;

    private Campaigns(Rules defaults, TreeMap<String, Rules> campaigns, String source) {
        this.defaults = defaults;
        this.campaigns = campaigns;
        this.source = source;
    }

    public Rules of(String campaign) {
        return campaign == null ? defaults : campaigns.getOrDefault(campaign, defaults);
    }

    public Map<String, Rules> listed() {
        return java.util.Collections.unmodifiableMap(campaigns);
    }

    /** The rules in effect, as a JSON-ready map: {@code defaults} and every listed campaign. */
    public Map<String, Object> describe() {
        ObjectMapper json = AvroJson.MAPPER;
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("defaults", json.convertValue(defaults, Map.class));
        Map<String, Object> listed = new java.util.LinkedHashMap<>();
        campaigns.forEach((name, rules) -> listed.put(name, json.convertValue(rules, Map.class)));
        m.put("campaigns", listed);
        return m;
    }

    /** Where the rules came from, for logs and the version file. */
    public String source() {
        return source;
    }

    /** The bundled rules, with {@code userFile} (may be null) merged over them. */
    public static Campaigns load(Path userFile) throws IOException {
        ObjectMapper json = new ObjectMapper()
                .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES);
        JsonNode merged;
        try (InputStream in = Campaigns.class.getResourceAsStream(BUNDLED)) {
            if (in == null) throw new IOException(BUNDLED + " is missing from the classpath");
            merged = json.readTree(in);
        }
        String source = "bundled campaigns.json";
        if (userFile != null) {
            if (!Files.isRegularFile(userFile)) throw new IOException("campaign rules " + userFile + " do not exist (option --campaigns)");
            JsonNode user;
            try {
                user = json.readTree(userFile.toFile());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IOException(userFile + " is not valid JSON: " + e.getOriginalMessage(), e);
            }
            mergeInto((ObjectNode) merged, user, userFile.toString());
            source = userFile + " over the bundled campaigns.json";
        }
        String where = userFile == null ? BUNDLED : userFile.toString();
        for (Iterator<String> it = merged.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!key.equals("defaults") && !key.equals("campaigns")) {
                throw new IOException(where + ": unknown top-level key '" + key + "' (expected defaults, campaigns)");
            }
        }
        JsonNode defaultsNode = merged.path("defaults");
        if (!defaultsNode.isObject()) throw new IOException(where + ": defaults must be a JSON object");
        Rules defaults = bind(json, defaultsNode, where, "defaults");
        TreeMap<String, Rules> campaigns = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = merged.path("campaigns").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            ObjectNode campaign = defaultsNode.deepCopy();
            mergeInto(campaign, e.getValue(), where);
            campaigns.put(e.getKey(), bind(json, campaign, where, "campaigns." + e.getKey()));
        }
        return new Campaigns(defaults, campaigns, source);
    }

    private static Rules bind(ObjectMapper json, JsonNode node, String where, String path) throws IOException {
        try {
            return json.treeToValue(node, Rules.class);
        } catch (IOException | IllegalArgumentException e) {
            String why = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            Throwable cause = e.getCause();
            while (cause != null) {
                if (cause instanceof IllegalArgumentException) why = cause.getMessage();
                cause = cause.getCause();
            }
            throw new IOException(where + ": " + path + ": " + why, e);
        }
    }

    /** Objects merge key by key; anything else in {@code over} replaces what is there. */
    private static void mergeInto(ObjectNode base, JsonNode over, String where) throws IOException {
        if (!over.isObject()) throw new IOException(where + ": expected a JSON object, found " + over.getNodeType());
        for (Iterator<Map.Entry<String, JsonNode>> it = over.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode existing = base.get(e.getKey());
            if (existing instanceof ObjectNode existingObject && e.getValue().isObject()) {
                mergeInto(existingObject, e.getValue(), where);
            } else {
                base.set(e.getKey(), e.getValue().deepCopy());
            }
        }
    }
}
