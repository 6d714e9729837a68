package dev.clipcurate.pipeline.cli;

import dev.clipcurate.pipeline.consent.ConsentPublisher;
import picocli.CommandLine.Command;

/** A steward records that a donor withdrew consent. */
@Command(name = "revoke", mixinStandardHelpOptions = true,
        description = {"Publishes a donor's revocation of consent on the consent topic (schemas/.../consent_event.avsc), "
                + "keyed by donor so that the donor's events stay in order. From then on the job rejects the donor's "
                + "clips no_consent; scripts/curate purge removes what earlier versions hold. The donor id is the "
                + "account id the donations carry; it is sent to Kafka as the donations are and is not printed."})
final class RevokeCommand extends ConsentCommand {
    @Override
    String action() {
        return ConsentPublisher.REVOKE;
    }
}
