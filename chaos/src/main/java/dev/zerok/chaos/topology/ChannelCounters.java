package dev.zerok.chaos.topology;

/**
 * What one device's Noise sessions did so far, counted on the device (seed 000 E-ENC-04, E-ENC-05).
 *
 * @param sessions sessions that completed their handshake
 * @param sealed transport messages sealed
 * @param opened transport messages opened
 * @param sendRekeys re-keys of the sending directions (Noise Rekey(), section 11.3)
 * @param receiveRekeys re-keys of the receiving directions
 * @param nonceMismatches sessions whose next nonce differed from their message count (a nonce
 *     skipped or used twice); 0 when sound
 * @param aeadSeals seals the device's transport AEAD (ChaChaPoly) performed, counted at the crypto port
 * @param keyNonceReuses seals under a (key, nonce) pair already used before, counted at the crypto port
 */
public record ChannelCounters(long sessions, long sealed, long opened, long sendRekeys, long receiveRekeys,
        long nonceMismatches, long aeadSeals, long keyNonceReuses) {}
