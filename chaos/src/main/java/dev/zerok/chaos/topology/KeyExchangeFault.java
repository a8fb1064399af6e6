package dev.zerok.chaos.topology;

/**
 * A fault in one component of a device's hybrid handshake (seed 000 E-PQ-03), injected at its
 * KeyExchange port: the other component stays intact.
 */
public enum KeyExchangeFault {
    /** X25519 agreement throws. */
    X25519_THROWS,
    /** X25519 agreement returns 32 zero bytes instead of the shared secret. */
    X25519_GARBAGE,
    /** ML-KEM-768 encapsulation and decapsulation throw. */
    ML_KEM_THROWS,
    /** ML-KEM-768 decapsulation returns 32 zero bytes instead of the shared secret. */
    ML_KEM_GARBAGE
}
