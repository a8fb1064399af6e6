package dev.zerok.chaos.proxy;

/**
 * Gilbert-Elliott burst loss: a two-state Markov chain (good, bad) stepped once per datagram.
 * In the good state nothing is lost by this model; in the bad state each datagram is lost with
 * {@code lossProbabilityInBad}. After each datagram the chain moves good to bad with
 * {@code goodToBadProbability} and bad to good with {@code badToGoodProbability}.
 *
 * <p>With {@code lossProbabilityInBad = 1} a loss burst lasts {@code 1 / badToGoodProbability}
 * datagrams on average (geometric), and the long-run fraction lost is
 * {@code goodToBadProbability / (goodToBadProbability + badToGoodProbability)}. The chain starts
 * in the good state. Source: E. O. Elliott, "Estimates of error rates for codes on burst-noise
 * channels", Bell Syst. Tech. J. 42 (1963); the same parameters as netem's {@code loss gemodel}.
 *
 * @param goodToBadProbability  per-datagram probability of entering the bad state, in [0, 1];
 *                              0 disables the model
 * @param badToGoodProbability  per-datagram probability of leaving the bad state, in [0, 1]
 * @param lossProbabilityInBad  probability of losing a datagram while in the bad state, in [0, 1]
 */
public record BurstLoss(double goodToBadProbability, double badToGoodProbability, double lossProbabilityInBad) {

    /** The model switched off: never enters the bad state. */
    public static final BurstLoss NONE = new BurstLoss(0, 1, 1);

    /**
     * Validates the probabilities.
     *
     * @throws IllegalArgumentException if a probability is outside [0, 1] or not a number
     */
    public BurstLoss {
        FaultProfile.requireProbability("burstGoodToBadProbability", goodToBadProbability);
        FaultProfile.requireProbability("burstBadToGoodProbability", badToGoodProbability);
        FaultProfile.requireProbability("burstLossInBadProbability", lossProbabilityInBad);
    }

    /** Whether the model can ever lose a datagram. */
    public boolean enabled() {
        return goodToBadProbability > 0 && lossProbabilityInBad > 0;
    }
}
