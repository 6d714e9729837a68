package dev.clipcurate.pipeline.cli;

import dev.clipcurate.pipeline.consent.ConsentPublisher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Records a donor's consent, as the donation app would when the donor signs up. */
@Command(name = "grant", mixinStandardHelpOptions = true,
        description = {"Publishes a donor's grant of consent on the consent topic (schemas/.../consent_event.avsc). "
                + "The job lets a donor's clips on only while such a grant holds. The donor id is not printed."})
final class GrantCommand extends ConsentCommand {
    @Option(names = "--consent-version", defaultValue = "donor-terms-2026-01",
            description = "Version of the consent text the donor accepted (default: ${DEFAULT-VALUE}).")
    String consentVersion;

    @Override
    String action() {
        return ConsentPublisher.GRANT;
    }

    @Override
    String consentVersion() {
        return consentVersion;
    }
}
