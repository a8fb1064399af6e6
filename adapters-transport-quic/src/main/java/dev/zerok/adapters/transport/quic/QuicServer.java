package dev.zerok.adapters.transport.quic;

import dev.zerok.ports.transport.Acceptor;
import dev.zerok.ports.transport.Endpoint;
import dev.zerok.ports.transport.Server;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.quic.QuicChannel;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A bound QUIC listener. Closing it stops accepting at once (new connections are closed with
 * application code {@value QuicTransport#APP_REFUSED}); the UDP socket stays open while accepted
 * connections live, because they share it, and closes with the last of them. Thread-safe.
 */
final class QuicServer implements Server {
    private final QuicTransport transport;
    private final Acceptor acceptor;
    private final Set<QuicChannel> connections = ConcurrentHashMap.newKeySet();
    private volatile io.netty.channel.Channel udp;
    private volatile Endpoint local;
    private volatile boolean accepting = true;

    QuicServer(QuicTransport transport, Acceptor acceptor) {
        this.transport = transport;
        this.acceptor = acceptor;
    }

    void started(io.netty.channel.Channel udpChannel, Endpoint boundEndpoint) {
        this.udp = udpChannel;
        this.local = boundEndpoint;
    }

    Acceptor acceptor() {
        return acceptor;
    }

    @Override
    public Endpoint localEndpoint() {
        return local;
    }

    @Override
    public void close() {
        if (!accepting) {
            return;
        }
        accepting = false;
        transport.serverClosed(this);
        closeSocketIfDrained();
    }

    /** Closes the socket now, cutting accepted connections (used by the transport's close). */
    io.netty.util.concurrent.Future<Void> closeNow() {
        accepting = false;
        transport.serverClosed(this);
        return udp.close();
    }

    private void closeSocketIfDrained() {
        if (!accepting && connections.isEmpty()) {
            udp.close();
        }
    }

    /** The handler of each new QUIC connection: admission control and close-event capture. */
    io.netty.channel.ChannelHandler connectionHandler() {
        return new ConnectionHandler();
    }

    @Sharable
    private final class ConnectionHandler extends QuicTransport.CloseEventRecorder {
        @Override
        public void channelRegistered(ChannelHandlerContext ctx) {
            QuicChannel connection = (QuicChannel) ctx.channel();
            // Refused before the handshake completes, so the client's connect fails (RFC 9000
            // turns this into APPLICATION_ERROR during the handshake).
            if (!accepting || connections.size() >= transport.settings.maxConnections()) {
                connection.close(true, QuicTransport.APP_REFUSED,
                        Unpooled.copiedBuffer(accepting ? "full" : "closed", StandardCharsets.US_ASCII));
            } else {
                connections.add(connection);
                connection.closeFuture().addListener(f -> {
                    connections.remove(connection);
                    closeSocketIfDrained();
                });
            }
            ctx.fireChannelRegistered();
        }
    }

    @Override
    public String toString() {
        return "QuicServer[" + local + (accepting ? "" : ", closed") + "]";
    }
}
