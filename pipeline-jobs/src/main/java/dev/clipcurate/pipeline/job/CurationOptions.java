package dev.clipcurate.pipeline.job;

import dev.clipcurate.pipeline.common.Campaigns;
import dev.clipcurate.pipeline.dedup.DedupSettings;
import dev.clipcurate.pipeline.media.DecodeGuard;
import dev.clipcurate.pipeline.media.DecodeLimits;
import dev.clipcurate.pipeline.shards.DatasetLayout;
import dev.clipcurate.pipeline.privacy.Anonymiser;
import dev.clipcurate.pipeline.privacy.PrivacySettings;
import dev.clipcurate.pipeline.scoring.ScoringModel;
import dev.clipcurate.pipeline.scoring.ScoringSettings;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** Every setting of the curation job, with its default, in one place. The CLI fills it from flags. */
public class CurationOptions {
    // Kafka
    public String bootstrapServers = "localhost:9092";
    public String donationsTopic = "clips.donated";
    public String rejectedTopic = "clips.rejected";
    public String consumerGroup = "clip-curation";
    public String consentTopic = dev.clipcurate.pipeline.consent.ConsentPublisher.DEFAULT_TOPIC;

    // Consent
    /** The scope a donor's grant must cover. */
    public String consentScope = "training";
    /** Streaming: how long a clip whose donor has no grant yet waits for the consent topic to catch up. */
    public Duration consentWait = Duration.ofSeconds(30);

    // Files
    public String landingRoot = "./landing";
    public String warehouse = "./warehouse";
    public String dataset = "clips";
    public long maxFileBytes = 2L << 30;

    // Frames
    public double sampleFps = 2.0;
    public int maxLongSide = 640;
    public int jpegQuality = 90;
    public int maxWidth = 3840;
    public int maxHeight = 2160;
    public double maxDurationSeconds = 600;
    public double decodeBudgetSeconds = 120;
    public int decoderThreads = 1;

    // Privacy
    public float faceThreshold = 0.5f;
    /** MoveNet's person score from which a head is masked. */
    public float headThreshold = dev.clipcurate.pipeline.privacy.PrivacySettings.defaults().headThreshold();
    public String anonymise = "mosaic";
    public int faceCarryFrames = 2;
    public int faceInterpolateGap = 4;
    public double faceEnlarge = 1.3;

    // Dedup
    public double dupThreshold = DedupSettings.defaults().matchThreshold();

    // Scoring and staging
    /** An ONNX file meeting the model contract; null: the bundled default model. */
    public String scoreModel;
    public int scoringBatch = ScoringSettings.defaults().batchSize();
    /** Intra-op threads of a model call; 0: the cores divided by the parallelism (slots × threads ≤ cores). */
    public int scoringThreads = 0;
    public String scoringDevice = "cpu";
    /** Streaming: how long a clip waits for more of its donor's clips before it is labelled staged or real. */
    public Duration stagingSettle = Duration.ofSeconds(60);
    /** campaigns.json merged over the bundled rules; null: the bundled rules alone. */
    public String campaignsFile;

    // Shards
    public long shardTargetBytes = 256L << 20;

    // Flink
    public int parallelism = 2;
    public Duration checkpointInterval = Duration.ofSeconds(10);
    /** Least time between two versions a streaming run seals while it runs (the job's VersionCommitter). */
    public Duration sealInterval = Duration.ofSeconds(600);
    /** hashmap (state on the heap) or rocksdb (on local disk: for dedup indexes larger than the heap). */
    public String stateBackend = "hashmap";
    /** Restarts before the job fails: backing off from 1 s, doubling, to 1 min (about 6 min in all at 10). */
    public int restartAttempts = 10;

    /** Secret; never part of {@link #describe()} nor of any file the job writes. */
    public transient byte[] pseudonymKey;

    /** Deaths of the process while decoding one file after which it is rejected decoder_crash (1: at the first restart). */
    public int decoderCrashLimit = 1;

    public DecodeLimits decodeLimits() {
        return new DecodeLimits(sampleFps, maxLongSide, jpegQuality, maxWidth, maxHeight, maxDurationSeconds,
                decodeBudgetSeconds, decoderThreads);
    }

    /** Markers of clips being decoded, under the dataset, so that a file that crashes FFmpeg is decoded only so often. */
    public DecodeGuard decodeGuard() {
        return new DecodeGuard(new DatasetLayout(warehouse, dataset).decodingDir().toString(), decoderCrashLimit);
    }

    public DedupSettings dedupSettings() {
        return new DedupSettings(dupThreshold);
    }

    public ScoringSettings scoringSettings() {
        if (!scoringDevice.equals("cpu") && !scoringDevice.equals("cuda")) {
            throw new IllegalArgumentException("the scoring device must be cpu or cuda, not " + scoringDevice);
        }
        int threads = scoringThreads > 0 ? scoringThreads
                : Math.max(1, Runtime.getRuntime().availableProcessors() / Math.max(1, parallelism));
        return new ScoringSettings(scoreModel, scoringBatch, threads, scoringDevice.equals("cuda"));
    }

    public Campaigns campaigns() throws IOException {
        return Campaigns.load(campaignsFile == null ? null : Path.of(campaignsFile));
    }

    public PrivacySettings privacySettings() {
        return new PrivacySettings(faceThreshold, headThreshold, Anonymiser.parse(anonymise), faceCarryFrames, faceInterpolateGap,
                faceEnlarge);
    }

    /**
     * A pseudonym of a fixed non-donor id: recorded in the version, it lets purge and audit tell that they were
     * given the key the builds used (with another key no donor would match, and a purge would remove nothing).
     */
    public static String keyCheck(byte[] pseudonymKey) {
        return new dev.clipcurate.pipeline.privacy.DonorPseudonymizer(pseudonymKey).pseudonymize("clip-curation:key-check");
    }

    /** The settings that shape a dataset, as recorded (and hashed) in the version file. */
    public Map<String, Object> describe() throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("donations_topic", donationsTopic);
        m.put("rejected_topic", rejectedTopic);
        m.put("consent_topic", consentTopic);
        m.put("consent_scope", consentScope);
        if (pseudonymKey != null) m.put("pseudonym_key_check", keyCheck(pseudonymKey));
        m.put("landing_root", landingRoot);
        m.put("max_file_bytes", maxFileBytes);
        m.put("sample_fps", sampleFps);
        m.put("max_long_side", maxLongSide);
        m.put("jpeg_quality", jpegQuality);
        m.put("max_width", maxWidth);
        m.put("max_height", maxHeight);
        m.put("max_duration_s", maxDurationSeconds);
        m.put("decode_budget_s", decodeBudgetSeconds);
        m.put("decoder_crash_limit", decoderCrashLimit);
        m.put("face_threshold", faceThreshold);
        m.put("head_threshold", headThreshold);
        m.put("anonymise", anonymise);
        m.put("face_carry_frames", faceCarryFrames);
        m.put("face_interpolate_gap", faceInterpolateGap);
        m.put("face_enlarge", faceEnlarge);
        m.put("dup_threshold", dupThreshold);
        ScoringModel.Identity model = ScoringModel.identify(scoringSettings());
        m.put("score_model", model.name());
        m.put("score_model_sha256", model.sha256());
        m.put("scoring_batch", scoringBatch);
        Campaigns rules = campaigns();
        m.put("staging_settle_s", stagingSettle.toSeconds());
        m.put("campaign_rules_source", rules.source());
        m.put("campaign_rules", rules.describe());
        m.put("shard_target_bytes", shardTargetBytes);
        m.put("parallelism", parallelism);
        return m;
    }
}
