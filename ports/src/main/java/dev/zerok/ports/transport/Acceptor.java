package dev.zerok.ports.transport;

/** Decides what handles each channel a {@link Server} accepts. Must return quickly. */
@FunctionalInterface
public interface Acceptor {
    /**
     * Called once per accepted channel, before any of its messages is delivered.
     *
     * @return the handler for this channel's events
     */
    ChannelHandler onAccept(Channel channel);
}
