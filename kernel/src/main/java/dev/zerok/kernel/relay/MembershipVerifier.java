package dev.zerok.kernel.relay;

import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.GroupId;

/**
 * Checks a Hello's membership proof (docs/SECURITY.md, "Group membership") without the relay
 * ever holding a group secret. Implementations must be pure functions of their arguments.
 */
@FunctionalInterface
public interface MembershipVerifier {
    /**
     * @param group the group the device claims
     * @param device the device, as authenticated by the Noise handshake
     * @param proof the Hello's opaque proof bytes
     * @param handshakeHash the session's Noise handshake hash the proof must be bound to
     * @return true only if the proof is valid for exactly this group and session
     */
    boolean verify(GroupId group, DeviceId device, byte[] proof, byte[] handshakeHash);
}
