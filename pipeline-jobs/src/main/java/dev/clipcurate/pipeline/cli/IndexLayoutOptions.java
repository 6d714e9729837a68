package dev.clipcurate.pipeline.cli;

import dev.clipcurate.pipeline.dedup.IndexKeys;
import picocli.CommandLine.Option;

/** Hidden options of the dedup index's layout, for the tools that measure it (eval-dedup, bench-dedup-index). */
final class IndexLayoutOptions {
    private static final IndexKeys.Layout DEFAULT = IndexKeys.Layout.DEFAULT;

    @Option(names = "--key-bits", hidden = true)
    int keyBits = DEFAULT.keyBits();

    @Option(names = "--anchor-every", hidden = true)
    int anchorEvery = DEFAULT.anchorEvery();

    @Option(names = "--flips", hidden = true)
    int flips = DEFAULT.flips();

    @Option(names = "--sketch-bits", hidden = true)
    int sketchBits = DEFAULT.motionBits();

    @Option(names = "--crop-flips", hidden = true)
    int cropFlips = DEFAULT.cropFlips();

    @Option(names = "--flip-margin", hidden = true)
    float flipMargin = DEFAULT.flipMargin();

    @Option(names = "--crop-every", hidden = true)
    int cropEvery = DEFAULT.cropEvery();

    @Option(names = "--probe-slack", hidden = true)
    float probeSlack = DEFAULT.probeSlack();

    IndexKeys.Layout layout() {
        return new IndexKeys.Layout(keyBits, anchorEvery, flips, sketchBits, cropFlips, flipMargin, cropEvery, probeSlack);
    }
}
