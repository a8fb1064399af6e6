package dev.zerok.chaos.proxy;

/**
 * A snapshot of a proxy's counters.
 *
 * @param seed             the seed of the proxy's decisions
 * @param up               counters of client to upstream
 * @param down             counters of upstream to client
 * @param activeSessions   client sessions open now (one upstream-facing socket each)
 * @param sessionsOpened   sessions opened since start
 * @param sessionsExpired  sessions closed for idleness since start
 * @param sessionRejects   client datagrams dropped because the session limit was reached (these
 *                         never reach the {@link FaultEngine} and are not in {@code up})
 * @param sendFailures     copies the engine forwarded but the socket refused to send
 * @param listenerFailures exceptions thrown by the {@link FaultListener}
 */
public record ProxyStats(
        long seed,
        DirectionStats up,
        DirectionStats down,
        int activeSessions,
        long sessionsOpened,
        long sessionsExpired,
        long sessionRejects,
        long sendFailures,
        long listenerFailures) {

    /** The counters of one direction. */
    public DirectionStats direction(Direction direction) {
        return switch (direction) {
            case UP -> up;
            case DOWN -> down;
        };
    }
}
