package dev.zerok.chaos.proxy;

/**
 * Receives each {@link FaultEvent} the proxy injects (the injection log hook).
 *
 * <p>Called on the proxy's single I/O thread, in decision order: implementations must be quick
 * and must not block (append to a concurrent queue, say). An exception thrown here is caught and
 * counted in {@link ProxyStats#listenerFailures()}; it does not stop the proxy.
 */
@FunctionalInterface
public interface FaultListener {

    /** A listener that ignores every event. */
    FaultListener NONE = event -> { };

    /** Called once per injected fault. */
    void onFault(FaultEvent event);
}
