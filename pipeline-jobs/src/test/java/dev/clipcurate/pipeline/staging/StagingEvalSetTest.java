package dev.clipcurate.pipeline.staging;

import dev.clipcurate.pipeline.common.Campaigns;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Guards the README's staged/real figures against regressions of the labeller or the bundled rules. */
class StagingEvalSetTest {
    @Test
    void theBundledRulesSeparateTheConstructedSetAsReported() throws Exception {
        StagingRules rules = Campaigns.load(null).of("package-theft").staging();
        List<List<StagingEvalSet.LabelledClip>> set = StagingEvalSet.donors(300, 11);
        StagingEvalSet.Confusion c = StagingEvalSet.evaluate(set, rules);
        // README (1000 donors, seeds 7 and 8): staged 0.82-0.84 / 0.87-0.89, real 0.99 / 0.69
        assertTrue(c.precision(1) > 0.75 && c.recall(1) > 0.8, "staged " + c.precision(1) + " / " + c.recall(1));
        assertTrue(c.precision(0) > 0.95 && c.recall(0) > 0.6, "real " + c.precision(0) + " / " + c.recall(0));

        // every kind of evidence with a weight earns its place: switching it off costs one of the four figures
        for (Evidence e : Evidence.values()) {
            StagingEvalSet.Confusion w = StagingEvalSet.evaluate(set, rules.withWeight(e, 0));
            boolean worse = w.recall(1) < c.recall(1) || w.recall(0) < c.recall(0)
                    || w.precision(1) < c.precision(1) || !(w.precision(0) >= c.precision(0));
            assertTrue(worse, e.code() + " adds nothing on the constructed set");
        }
    }
}
