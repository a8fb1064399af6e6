package dev.zerok.chaos.adversary;

import dev.zerok.chaos.runner.Catalogue;
import java.util.List;
import java.util.Optional;

/** Every adversarial catalogue entry (seed 000 section 9, plus E-HS-06 on a relay process), and the full catalogue with them. */
public final class AdversarialEntries {
    public static final List<AdversarialScenarios.Entry> ALL = List.of(AdversarialScenarios.A_PROTO_01,
            AdversarialScenarios.A_PROTO_02, AdversarialScenarios.A_PROTO_03, AdversarialScenarios.A_PROTO_04,
            AdversarialScenarios.A_PROTO_05, AdversarialScenarios.A_RES_01, AdversarialScenarios.A_RES_02,
            AdversarialScenarios.A_RES_02_POISON, AdversarialScenarios.A_RES_03, AdversarialScenarios.A_RES_04,
            AdversarialScenarios.A_RES_05, AdversarialScenarios.A_RES_05_ENTROPY, AdversarialScenarios.E_HS_06);

    private AdversarialEntries() {}

    /** {@link Catalogue#standard()} plus every adversarial entry with its own relay configuration. */
    public static Catalogue catalogue() {
        Catalogue c = Catalogue.standard();
        for (AdversarialScenarios.Entry e : ALL) {
            c = c.with(e.scenario(), Optional.of(e.factory()));
        }
        return c;
    }
}
