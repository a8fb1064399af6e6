package dev.zerok.kernel.noise;

/**
 * A handshake pattern token: the DH tokens of Noise spec rev 34 section 7 plus the KEM tokens of
 * the Noise HFS extension ("Hybrid Forward Secrecy", revision 1, section 3).
 */
public enum Token {
    /** Ephemeral DH public key. */
    E,
    /** Static DH public key (encrypted once a key exists). */
    S,
    /** DH(e, re). */
    EE,
    /** DH(e, rs) for the initiator, DH(s, re) for the responder. */
    ES,
    /** DH(s, re) for the initiator, DH(e, rs) for the responder. */
    SE,
    /** DH(s, rs). */
    SS,
    /** HFS: an ephemeral KEM public key, sent with EncryptAndHash. */
    E1,
    /** HFS: a KEM ciphertext to the peer's e1, sent with EncryptAndHash, then MixKey(shared secret). */
    EKEM1
}
