package dev.zerok.chaos.sim;

import dev.zerok.ports.transport.Acceptor;
import dev.zerok.ports.transport.Channel;
import dev.zerok.ports.transport.ChannelHandler;
import dev.zerok.ports.transport.Endpoint;
import dev.zerok.ports.transport.Server;
import dev.zerok.ports.transport.Transport;
import dev.zerok.ports.transport.TransportException;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * A {@link Transport} decorator that hands a copy of every message a device sends or receives to
 * a sink: the captured frames of the no-plaintext check on every topology (on the mock, the
 * messages of the mock transport; on real, Noise ciphertext as carried by QUIC, whose UDP
 * datagrams are additionally encrypted by QUIC). Thread-safe if the sink is.
 */
public final class CapturingTransport implements Transport {
    private final Transport inner;
    private final Consumer<byte[]> sink;

    /** Wraps {@code inner}; {@code sink} receives a copy of each message sent or received. */
    public CapturingTransport(Transport inner, Consumer<byte[]> sink) {
        this.inner = inner;
        this.sink = sink;
    }

    @Override
    public CompletionStage<Channel> connect(Endpoint remote, ChannelHandler handler) {
        ChannelHandler recording = new ChannelHandler() {
            @Override
            public void onMessage(byte[] message) {
                sink.accept(message.clone());
                handler.onMessage(message);
            }

            @Override
            public void onClosed(Optional<TransportException> cause) {
                handler.onClosed(cause);
            }
        };
        return inner.connect(remote, recording).thenApply(this::wrap);
    }

    private Channel wrap(Channel channel) {
        return new ForwardingChannel(channel) {
            @Override
            public CompletionStage<Void> send(byte[] message) {
                sink.accept(message.clone());
                return delegate.send(message);
            }
        };
    }

    @Override
    public Server bind(Endpoint local, Acceptor acceptor) throws TransportException {
        return inner.bind(local, acceptor);
    }

    @Override
    public void close() {
        inner.close();
    }
}
