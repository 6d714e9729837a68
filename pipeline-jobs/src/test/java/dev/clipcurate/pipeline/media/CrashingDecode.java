package dev.clipcurate.pipeline.media;

import java.io.File;

/**
 * A process that dies inside a guarded decode the way a native decoder crash kills a TaskManager: a segmentation
 * fault (a write to address 0) while FFmpeg's frames are being handed out. Run by {@link DecodeGuardTest} as a
 * separate JVM: {@code CrashingDecode <markers dir> <clip> <sha256>}.
 */
public final class CrashingDecode {
    private CrashingDecode() {}

    public static void main(String[] args) throws Exception {
        DecodeGuard guard = new DecodeGuard(new File(args[0]).toURI().toString(), 1);
        ClipDecoder decoder = new ClipDecoder(DecodeLimits.defaults());
        guard.around(args[2], () -> decoder.decode(new File(args[1]), (index, tsMs, image) -> {
            if (index == 2) {
                System.out.println("crashing while decoding");
                System.out.flush();
                var field = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
                field.setAccessible(true);
                ((sun.misc.Unsafe) field.get(null)).putAddress(0L, 42L);
            }
        }));
        System.out.println("decoded without crashing");
    }
}
