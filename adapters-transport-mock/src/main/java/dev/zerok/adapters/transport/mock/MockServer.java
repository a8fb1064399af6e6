package dev.zerok.adapters.transport.mock;

import dev.zerok.ports.transport.Acceptor;
import dev.zerok.ports.transport.Endpoint;
import dev.zerok.ports.transport.Server;

/** A bound mock listener. Its state is guarded by the network's lock. */
final class MockServer implements Server {
    private final MockNetwork network;
    private final MockTransport transport;
    private final Endpoint local;
    private final Acceptor acceptor;
    private boolean accepting = true;

    MockServer(MockNetwork network, MockTransport transport, Endpoint local, Acceptor acceptor) {
        this.network = network;
        this.transport = transport;
        this.local = local;
        this.acceptor = acceptor;
    }

    @Override
    public Endpoint localEndpoint() {
        return local;
    }

    MockTransport transport() {
        return transport;
    }

    Acceptor acceptor() {
        return acceptor;
    }

    /** Caller holds the network lock. */
    boolean accepting() {
        return accepting;
    }

    @Override
    public void close() {
        synchronized (network.lock) {
            if (!accepting) {
                return;
            }
            accepting = false;
            // Frees the endpoint at once, so a restarted server can bind the same port.
            network.unbindServer(local, this);
            transport.servers.remove(this);
        }
    }

    @Override
    public String toString() {
        return "MockServer[" + local + (accepting ? "" : ", closed") + "]";
    }
}
