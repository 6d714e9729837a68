package dev.clipcurate.pipeline.cli;

import dev.clipcurate.pipeline.job.CurationOptions;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Frame sampling, limits for untrusted files, shard size and Flink settings. */
public class JobArgs {
    public static final String KEY_ENV = "CURATE_PSEUDONYM_KEY";

    @Option(names = "--sample-fps", defaultValue = "2.0", description = "Frames sampled per second of video (default: ${DEFAULT-VALUE}).")
    double sampleFps;

    @Option(names = "--max-long-side", defaultValue = "640", description = "Long side of written frames in px (default: ${DEFAULT-VALUE}).")
    int maxLongSide;

    @Option(names = "--jpeg-quality", defaultValue = "90", description = "JPEG quality 1..100 (default: ${DEFAULT-VALUE}).")
    int jpegQuality;

    @Option(names = "--max-file-mb", defaultValue = "2048", description = "Reject clip files larger than this (default: ${DEFAULT-VALUE}).")
    long maxFileMb;

    @Option(names = "--max-resolution", defaultValue = "3840x2160", paramLabel = "WxH",
            description = "Reject clips larger than this (default: ${DEFAULT-VALUE}).")
    String maxResolution;

    @Option(names = "--max-duration-s", defaultValue = "600", description = "Reject clips longer than this (default: ${DEFAULT-VALUE}).")
    double maxDurationSeconds;

    @Option(names = "--decode-budget-s", defaultValue = "120",
            description = "Give up decoding one clip after this many seconds (default: ${DEFAULT-VALUE}).")
    double decodeBudgetSeconds;

    @Option(names = "--decoder-crash-limit", defaultValue = "1",
            description = "Reject a clip decoder_crash once the process has died this many times while decoding it; "
                    + "raise it where TaskManagers are often killed for other reasons (default: ${DEFAULT-VALUE}).")
    int decoderCrashLimit;

    @Option(names = "--face-threshold", defaultValue = "0.5",
            description = "BlazeFace score above which a face is anonymised (default: ${DEFAULT-VALUE}).")
    float faceThreshold;

    @Option(names = "--head-threshold", defaultValue = "0.2",
            description = "MoveNet person score from which the person's head is anonymised (default: ${DEFAULT-VALUE}).")
    float headThreshold;

    @Option(names = "--anonymise", defaultValue = "mosaic", paramLabel = "mosaic|fill",
            description = "Coarse mosaic with noise, or solid fill (default: ${DEFAULT-VALUE}). Both are irreversible.")
    String anonymise;

    @Option(names = "--face-carry-frames", defaultValue = "2",
            description = "Cover each detected face or head this many sampled frames before and after, the mask "
                    + "growing 10 %% per frame (default: ${DEFAULT-VALUE}).")
    int faceCarryFrames;

    @Option(names = "--face-enlarge", defaultValue = "1.3",
            description = "Enlarge a face box with no head box around it by this factor to cover the head, at least "
                    + "1.3 (default: ${DEFAULT-VALUE}); a face inside a head box is merged into it instead.")
    double faceEnlarge;

    @Option(names = "--dup-threshold", defaultValue = "0.55",
            description = "Near-duplicates: minimal motion correlation (0-1) of two clips at their best alignment "
                    + "(default: ${DEFAULT-VALUE}, measured with scripts/curate eval-dedup).")
    double dupThreshold;

    @Option(names = "--score-model", paramLabel = "FILE",
            description = "Score frames with an ONNX model meeting the model contract (README, Scoring), or with "
                    + dev.clipcurate.pipeline.scoring.ScoringSettings.PERSON_WINDOW + " (this project's small model). "
                    + "Default: the person detector's detections under the campaign's rules (MoveNet MultiPose, run "
                    + "once per frame for scoring, labels and heads).")
    String scoreModel;

    @Option(names = "--scoring-batch", defaultValue = "4",
            description = "Frames per scoring model call (default: ${DEFAULT-VALUE}; see scripts/curate bench-scoring).")
    int scoringBatch;

    @Option(names = "--scoring-threads", defaultValue = "0",
            description = "ONNX Runtime threads per scoring call; 0 = the cores divided by --parallelism, so that "
                    + "slots x threads stay within the cores (default: ${DEFAULT-VALUE}).")
    int scoringThreads;

    @Option(names = "--scoring-device", defaultValue = "cpu", paramLabel = "cpu|cuda",
            description = "cuda uses ONNX Runtime's CUDA provider when the onnxruntime_gpu jar and a GPU are present, "
                    + "else the CPU with a warning (default: ${DEFAULT-VALUE}).")
    String scoringDevice;

    @Option(names = "--campaigns", paramLabel = "FILE",
            description = "Per-campaign rules (minimum score, staged/real evidence weights and thresholds) as JSON, "
                    + "merged key by key over the bundled campaigns.json (README, Campaign rules).")
    Path campaignsFile;

    @Option(names = "--staging-settle-s", defaultValue = "60",
            description = "Streaming runs: seconds a clip waits for more clips of its donor (a second camera, more "
                    + "takes) before it is labelled staged or real; batch builds see all of them (default: ${DEFAULT-VALUE}).")
    long stagingSettleSeconds;

    @Option(names = "--consent-scope", defaultValue = "training",
            description = "The consent a donor must have granted on the consent topic for a clip to go on; a grant or "
                    + "revocation for scope 'all' counts too (default: ${DEFAULT-VALUE}).")
    String consentScope;

    @Option(names = "--consent-wait-s", defaultValue = "30",
            description = "Streaming runs: seconds a clip whose donor has no grant yet waits for the consent topic "
                    + "to catch up before it is rejected no_consent; batch builds read all consent first "
                    + "(default: ${DEFAULT-VALUE}).")
    long consentWaitSeconds;

    @Option(names = "--shard-mb", defaultValue = "256", description = "Target size of a tar shard (default: ${DEFAULT-VALUE}).")
    long shardMb;

    @Option(names = "--parallelism", defaultValue = "2", description = "Flink parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--state-backend", defaultValue = "hashmap",
            description = "Where streaming runs keep keyed state, the dedup index included: hashmap (JVM heap) or "
                    + "rocksdb (local disk, incremental checkpoints; for indexes larger than the heap) "
                    + "(default: ${DEFAULT-VALUE}). Batch builds keep one key at a time and ignore it.")
    String stateBackend;

    @Option(names = "--checkpoint-interval-s", defaultValue = "10",
            description = "Checkpoint interval of streaming runs (default: ${DEFAULT-VALUE}).")
    long checkpointIntervalSeconds;

    @Option(names = "--seal-interval-s", defaultValue = "600",
            description = "Streaming runs: the job seals what checkpoints committed into a new version at most this "
                    + "often, while there is anything new; draining seals the rest (default: ${DEFAULT-VALUE}).")
    long sealIntervalSeconds;

    @Option(names = "--pseudonym-key-file", paramLabel = "FILE",
            description = "File holding the secret key for donor pseudonyms (at least 16 bytes). Default: the "
                    + KEY_ENV + " environment variable.")
    Path pseudonymKeyFile;

    /** The options of a job reading from Kafka into a warehouse, as build and run take them. */
    CurationOptions options(KafkaArgs kafka, StorageArgs storage) throws IOException {
        CurationOptions o = new CurationOptions();
        kafka.applyTo(o);
        storage.applyTo(o);
        applyTo(o);
        return o;
    }

    /** The command line as typed, recorded in the version a command seals. */
    static List<String> typedArgs(CommandLine.Model.CommandSpec spec) {
        return List.copyOf(spec.commandLine().getParseResult().originalArgs());
    }

    void applyTo(CurationOptions o) throws IOException {
        o.sampleFps = sampleFps;
        if (consentScope.isBlank()) throw new IllegalArgumentException("--consent-scope must not be empty");
        o.consentScope = consentScope;
        o.consentWait = java.time.Duration.ofSeconds(consentWaitSeconds);
        o.maxLongSide = maxLongSide;
        o.jpegQuality = jpegQuality;
        o.maxFileBytes = maxFileMb << 20;
        String[] wh = maxResolution.toLowerCase().split("x");
        if (wh.length != 2) throw new IllegalArgumentException("--max-resolution must look like 3840x2160");
        o.maxWidth = Integer.parseInt(wh[0].trim());
        o.maxHeight = Integer.parseInt(wh[1].trim());
        o.maxDurationSeconds = maxDurationSeconds;
        o.decodeBudgetSeconds = decodeBudgetSeconds;
        if (decoderCrashLimit < 1) throw new IllegalArgumentException("--decoder-crash-limit must be 1 or more");
        o.decoderCrashLimit = decoderCrashLimit;
        o.faceThreshold = faceThreshold;
        o.headThreshold = headThreshold;
        o.anonymise = anonymise;
        o.faceCarryFrames = faceCarryFrames;
        o.faceEnlarge = faceEnlarge;
        o.privacySettings(); // validates
        o.dupThreshold = dupThreshold;
        o.dedupSettings(); // validates
        o.scoreModel = scoreModel == null || scoreModel.equals(dev.clipcurate.pipeline.scoring.ScoringSettings.PERSON_WINDOW)
                ? scoreModel : Path.of(scoreModel).toAbsolutePath().toString();
        o.scoringBatch = scoringBatch;
        if (scoringThreads < 0) throw new IllegalArgumentException("--scoring-threads must be 0 (auto) or more");
        o.scoringThreads = scoringThreads;
        o.scoringDevice = scoringDevice;
        if (stagingSettleSeconds < 0) throw new IllegalArgumentException("--staging-settle-s must be 0 or more");
        o.stagingSettle = Duration.ofSeconds(stagingSettleSeconds);
        o.campaignsFile = campaignsFile == null ? null : campaignsFile.toAbsolutePath().toString();
        o.shardTargetBytes = shardMb << 20;
        o.parallelism = parallelism;
        // opens the model once: a missing file or one outside the model contract fails here, not inside the job
        dev.clipcurate.pipeline.scoring.ScoringModel.identify(o.scoringSettings());
        o.campaigns(); // reads and validates the rules now rather than inside the job
        o.checkpointInterval = Duration.ofSeconds(checkpointIntervalSeconds);
        if (sealIntervalSeconds < 1) throw new IllegalArgumentException("--seal-interval-s must be 1 or more");
        o.sealInterval = Duration.ofSeconds(sealIntervalSeconds);
        if (!stateBackend.equals("hashmap") && !stateBackend.equals("rocksdb")) {
            throw new IllegalArgumentException("--state-backend must be hashmap or rocksdb, not " + stateBackend);
        }
        o.stateBackend = stateBackend;
        o.pseudonymKey = readKey();
        o.decodeLimits(); // validates the frame settings now rather than inside the job
    }

    /** The pseudonym key from --pseudonym-key-file or the environment; null when neither is set. */
    byte[] readKey() throws IOException {
        if (pseudonymKeyFile != null) return checkedKey(Files.readString(pseudonymKeyFile, StandardCharsets.UTF_8));
        String env = System.getenv(KEY_ENV);
        return env == null || env.isBlank() ? null : checkedKey(env);
    }

    /** The key's bytes; refuses keys too short to be secret. */
    static byte[] checkedKey(String text) {
        byte[] key = text.trim().getBytes(StandardCharsets.UTF_8);
        if (key.length < 16) {
            throw new IllegalArgumentException("the pseudonym key is shorter than 16 bytes; use a long random secret, "
                    + "e.g. `openssl rand -hex 32`");
        }
        return key;
    }
}
