package dev.zerok.kernel.pairing;

/**
 * Fixed Argon2id parameters (RFC 9106), carried in every invite so that all devices derive the
 * same key: never chosen from local RAM.
 *
 * <p>{@link #DEFAULT}: m = 64 MiB, t = 3, p = 1. {@link #FLOOR} (the weakest accepted; the OWASP
 * 2023 minimum for Argon2id): m = 19 MiB, t = 2, p = 1. Ceiling: m = 1 GiB, t = 10, p = 4, so a
 * hostile invite cannot make a device allocate unbounded memory.
 *
 * @param memoryKib memory cost in KiB
 * @param iterations time cost
 * @param parallelism lanes
 */
public record Argon2Params(int memoryKib, int iterations, int parallelism) {
    /** The parameters new groups and invites use. */
    public static final Argon2Params DEFAULT = new Argon2Params(64 * 1024, 3, 1);
    /** The weakest parameters accepted. */
    public static final Argon2Params FLOOR = new Argon2Params(19 * 1024, 2, 1);
    /** Largest memory cost accepted, in KiB (1 GiB). */
    public static final int MAX_MEMORY_KIB = 1024 * 1024;
    /** Largest time cost accepted. */
    public static final int MAX_ITERATIONS = 10;
    /** Largest parallelism accepted. */
    public static final int MAX_PARALLELISM = 4;

    /**
     * @throws PairingException coded {@code WEAK_OR_EXCESSIVE_PARAMETERS} below the floor or above the ceiling
     */
    public Argon2Params requireAcceptable() throws PairingException {
        boolean belowFloor = memoryKib < FLOOR.memoryKib || iterations < FLOOR.iterations || parallelism < 1;
        boolean aboveCeiling = memoryKib > MAX_MEMORY_KIB || iterations > MAX_ITERATIONS || parallelism > MAX_PARALLELISM;
        if (belowFloor || aboveCeiling) {
            throw new PairingException(PairingException.Code.WEAK_OR_EXCESSIVE_PARAMETERS, "Argon2id parameters m="
                    + memoryKib + " KiB t=" + iterations + " p=" + parallelism + " are outside the accepted range (floor "
                    + FLOOR.memoryKib + " KiB/t=" + FLOOR.iterations + "/p=1, ceiling " + MAX_MEMORY_KIB + " KiB/t="
                    + MAX_ITERATIONS + "/p=" + MAX_PARALLELISM + "); ask for a new invite");
        }
        return this;
    }
}
