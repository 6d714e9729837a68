package dev.clipcurate.pipeline.intake;

import dev.clipcurate.pipeline.common.InfrastructureFailure;
import dev.clipcurate.pipeline.media.DecodeGuard;
import dev.clipcurate.pipeline.media.DecodeLimits;
import dev.clipcurate.pipeline.media.FrameSample;
import dev.clipcurate.pipeline.privacy.PrivacySettings;
import dev.clipcurate.pipeline.testing.PassRun;
import dev.clipcurate.pipeline.testing.TestClips;
import dev.clipcurate.pipeline.testing.TestTasks;
import dev.clipcurate.schemas.ClipRow;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.FlinkRuntimeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The safety net: the donation's faults become rows, the infrastructure's fail the job. */
class SafetyNetTest {
    @TempDir Path tmp;

    @Test
    void anUnexpectedExceptionBecomesAProcessingErrorRowWithoutItsMessage() throws Exception {
        List<ClipRow> rows = new ArrayList<>();
        ClipTask task = TestTasks.task("c1", "car-door");
        Object result = SafetyNet.judge("stage: op", task, "b1", rows::add, () -> {
            throw new IllegalStateException("secret-donor-9 said hello");
        });
        assertNull(result);
        assertEquals(1, rows.size());
        assertEquals("processing_error", rows.get(0).getReason());
        assertEquals("rejected", rows.get(0).getDecision());
        assertTrue(rows.get(0).getReasonDetail().contains("stage: op"), rows.get(0).getReasonDetail());
        assertTrue(rows.get(0).getReasonDetail().contains("java.lang.IllegalStateException"), rows.get(0).getReasonDetail());
        assertFalse(rows.get(0).getReasonDetail().contains("secret-donor-9"));
    }

    @Test
    void infrastructureFailuresFailTheJob() {
        List<ClipRow> rows = new ArrayList<>();
        ClipTask task = TestTasks.task("c1", "car-door");
        assertThrows(InfrastructureFailure.class, () -> SafetyNet.judge("op", task, "b1", rows::add, () -> {
            throw new InfrastructureFailure("the model cannot run", null);
        }));
        assertThrows(IOException.class, () -> SafetyNet.judge("op", task, "b1", rows::add, () -> {
            throw new IOException("the warehouse is gone");
        }));
        assertThrows(FlinkRuntimeException.class, () -> SafetyNet.judge("op", task, "b1", rows::add, () -> {
            throw new FlinkRuntimeException("state backend");
        }));
        assertThrows(OutOfMemoryError.class, () -> SafetyNet.judge("op", task, "b1", rows::add, () -> {
            throw new OutOfMemoryError("heap");
        }));
        assertEquals(List.of(), rows);
    }

    /**
     * A real operator meets a clip whose state it cannot read (consented subjects that are not JSON): that clip
     * becomes a processing_error row naming the operator, and the next clip is anonymised as usual.
     */
    @Test
    void theAnonymiserGoesOnAfterAClipItCannotJudge() throws Exception {
        Path clip = TestClips.write(tmp.resolve("clip.mp4"), 320, 240, 10, 2);
        ClipTask broken = TestTasks.task("broken", "car-door");
        broken.resolvedPath = clip.toUri().toString();
        broken.consentedSubjectsJson = "[{\"subject\": ";
        ClipTask fine = TestTasks.task("fine", "car-door");
        fine.resolvedPath = clip.toUri().toString();
        PassRun.Result result = PassRun.run(tmp, List.of(broken, fine));
        List<ClipRow> rows = result.rows();
        assertEquals(List.of("broken", "fine"), rows.stream().map(ClipRow::getClipId).toList());
        assertEquals("processing_error", rows.get(0).getReason());
        assertTrue(rows.get(0).getReasonDetail().contains("decode once"), rows.get(0).getReasonDetail());
        assertTrue(rows.get(0).getReasonDetail().contains("IllegalArgumentException"), rows.get(0).getReasonDetail());
        assertEquals("accepted", rows.get(1).getDecision());
        List<FrameSample> frames = result.frames();
        assertEquals(4, frames.size(), "the next clip's 2 s at 2 fps");
        assertTrue(frames.stream().allMatch(f -> f.clipId.equals("fine")));
    }
}
