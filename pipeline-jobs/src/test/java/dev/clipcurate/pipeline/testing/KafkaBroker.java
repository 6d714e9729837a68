package dev.clipcurate.pipeline.testing;

import dev.clipcurate.pipeline.embedded.EmbeddedKafka;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** A real in-process broker for one test class: {@code @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();} */
public final class KafkaBroker implements BeforeAllCallback, AfterAllCallback {
    private EmbeddedKafka kafka;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (kafka != null) kafka.close();
    }

    public EmbeddedKafka get() {
        return kafka;
    }
}
