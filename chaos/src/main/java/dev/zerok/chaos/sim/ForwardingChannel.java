package dev.zerok.chaos.sim;

import dev.zerok.ports.transport.Channel;
import dev.zerok.ports.transport.Endpoint;
import java.util.concurrent.CompletionStage;

/**
 * A {@link Channel} that forwards every call to another: the base of the chaos suite's transport
 * decorators, which override what they observe or alter ({@link #send}, {@link #close}).
 * Thread-safe if the delegate is.
 */
abstract class ForwardingChannel implements Channel {
    /** The channel every call goes to. */
    protected final Channel delegate;

    ForwardingChannel(Channel delegate) {
        this.delegate = delegate;
    }

    @Override
    public Endpoint remoteEndpoint() {
        return delegate.remoteEndpoint();
    }

    @Override
    public CompletionStage<Void> send(byte[] message) {
        return delegate.send(message);
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public boolean isOpen() {
        return delegate.isOpen();
    }

    @Override
    public void pauseReading() {
        delegate.pauseReading();
    }

    @Override
    public void resumeReading() {
        delegate.resumeReading();
    }
}
