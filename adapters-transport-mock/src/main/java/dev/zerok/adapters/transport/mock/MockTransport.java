package dev.zerok.adapters.transport.mock;

import dev.zerok.ports.transport.Acceptor;
import dev.zerok.ports.transport.Channel;
import dev.zerok.ports.transport.ChannelHandler;
import dev.zerok.ports.transport.Endpoint;
import dev.zerok.ports.transport.Server;
import dev.zerok.ports.transport.Transport;
import dev.zerok.ports.transport.TransportException;
import dev.zerok.ports.transport.TransportException.Code;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A {@link Transport} on a {@link MockNetwork}, for one named host. Its collections are guarded by
 * the network's lock; insertion-ordered so that closing everything happens in a deterministic order.
 */
final class MockTransport implements Transport {
    final MockNetwork network;
    final String host;
    final Duration idleTimeout;
    final Duration connectTimeout;
    final Set<MockConnection.End> ends = new LinkedHashSet<>();
    final Set<MockServer> servers = new LinkedHashSet<>();
    private boolean closed;

    MockTransport(MockNetwork network, String host, Duration idleTimeout, Duration connectTimeout) {
        this.network = network;
        this.host = host;
        this.idleTimeout = idleTimeout;
        this.connectTimeout = connectTimeout;
    }

    @Override
    public CompletionStage<Channel> connect(Endpoint remote, ChannelHandler handler) {
        synchronized (network.lock) {
            if (closed) {
                return CompletableFuture.failedFuture(new TransportException(Code.CLOSED,
                        "connect on a closed transport; open a new transport"));
            }
            return MockConnection.connect(network, this, remote, handler);
        }
    }

    @Override
    public Server bind(Endpoint local, Acceptor acceptor) throws TransportException {
        synchronized (network.lock) {
            if (closed) {
                throw new TransportException(Code.CLOSED, "bind on a closed transport; open a new transport");
            }
            Endpoint actual = local.port() == 0 ? new Endpoint(local.host(), network.ephemeralPort(local.host())) : local;
            MockServer server = new MockServer(network, this, actual, acceptor);
            if (!network.bindServer(actual, server)) {
                throw new TransportException(Code.ADDRESS_IN_USE,
                        "mock endpoint " + actual + " is already bound; close the other server or pick another port");
            }
            servers.add(server);
            return server;
        }
    }

    @Override
    public void close() {
        List<MockConnection.End> toClose;
        List<MockServer> toUnbind;
        synchronized (network.lock) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayList<>(ends);
            toUnbind = new ArrayList<>(servers);
        }
        toUnbind.forEach(MockServer::close);
        toClose.forEach(MockConnection.End::close);
    }

    @Override
    public String toString() {
        return "MockTransport[" + host + "]";
    }
}
