package dev.zerok.relayapp;

import dev.zerok.kernel.noise.NoiseException;
import dev.zerok.kernel.noise.StaticIdentity;
import dev.zerok.kernel.relay.RelaySession;
import dev.zerok.kernel.relay.RelaySession.Action;
import dev.zerok.kernel.relay.RelaySession.Input;
import dev.zerok.kernel.session.SecureChannel;
import dev.zerok.kernel.wire.ErrorCode;
import dev.zerok.kernel.wire.Message;
import dev.zerok.kernel.wire.ProtocolException;
import dev.zerok.ports.relaystore.AppendResult;
import dev.zerok.ports.relaystore.Page;
import dev.zerok.ports.relaystore.RelayStoreException;
import dev.zerok.ports.relaystore.StoredBlob;
import dev.zerok.ports.time.Timer;
import dev.zerok.ports.transport.Channel;
import dev.zerok.ports.transport.ChannelHandler;
import dev.zerok.ports.transport.TransportException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one device connection: transport events in, {@link SecureChannel} for the crypto, the
 * kernel's {@link RelaySession} for the protocol, and the actions it returns executed against the
 * store, the router and the channel. All work for one connection runs on its
 * {@link SerialExecutor}. Logs carry a per-process connection number only: no addresses, ids or
 * sizes.
 */
final class RelayConnection implements ChannelHandler {
    private static final Logger LOG = LoggerFactory.getLogger(RelayConnection.class);

    private final RelayRuntime runtime;
    private final long number;
    private final SerialExecutor lane;
    private Channel channel;
    private SecureChannel secure;
    private RelaySession session;
    private Timer helloTimer;
    private boolean closed;

    RelayConnection(RelayRuntime runtime, long number) {
        this.runtime = runtime;
        this.number = number;
        this.lane = new SerialExecutor(runtime.executor());
    }

    /** Called once by the acceptor, before any message. */
    void start(Channel acceptedChannel) {
        lane.execute(() -> {
            channel = acceptedChannel;
            try {
                secure = SecureChannel.responder(runtime.newResponderHandshake(), runtime.limits().maxFrameBytes());
            } catch (NoiseException e) {
                LOG.error("connection {}: cannot start handshake: {}", number, e.code());
                channel.close();
                closed = true;
                return;
            }
            session = new RelaySession(runtime.limits(), runtime.verifier(), runtime.limiter(), runtime.clock().now());
            session.nextDeadline().ifPresent(deadline -> helloTimer = runtime.clock().schedule(
                    java.time.Duration.between(runtime.clock().now(), deadline), () -> enqueue(new Input.Tick())));
            LOG.debug("connection {}: accepted", number);
        });
    }

    /** Queues a kernel input (used by the router and by shutdown). */
    void enqueue(Input input) {
        lane.execute(() -> feed(input));
    }

    @Override
    public void onMessage(byte[] message) {
        lane.execute(() -> onTransportMessage(message));
    }

    @Override
    public void onClosed(Optional<TransportException> cause) {
        lane.execute(() -> {
            LOG.debug("connection {}: transport closed ({})", number, cause.map(c -> c.code().name()).orElse("orderly"));
            feed(new Input.TransportClosed());
        });
    }

    private void onTransportMessage(byte[] message) {
        if (closed || session == null) {
            return;
        }
        SecureChannel.Received received;
        try {
            received = secure.receive(message);
        } catch (NoiseException e) {
            LOG.debug("connection {}: noise failure {}", number, e.code());
            runtime.metrics().errors.inc();
            closeNow();
            return;
        } catch (ProtocolException e) {
            runtime.metrics().errors.inc();
            feed(new Input.ProtocolViolation("malformed frame or message: " + e.code()));
            return;
        }
        for (byte[] out : received.toSend()) {
            channel.send(out);
        }
        if (received.handshakeCompleted()) {
            feed(new Input.HandshakeCompleted(StaticIdentity.deviceId(runtime.sha256(), secure.remoteStatic()),
                    secure.handshakeHash()));
        }
        for (Message m : received.messages()) {
            if (m instanceof Message.Push push) {
                runtime.metrics().bytesReceived.inc(push.payloadBytes());
            }
            feed(new Input.Received(m));
        }
    }

    private void feed(Input input) {
        if (session == null || session.state() == RelaySession.State.CLOSED && closed) {
            return;
        }
        List<Input> pending = new ArrayList<>();
        pending.add(input);
        while (!pending.isEmpty()) {
            session.handle(pending.remove(0), runtime.clock().now());
            for (Action action : session.drainActions()) {
                execute(action).ifPresent(pending::add);
            }
        }
        if (session.state() != RelaySession.State.AWAITING_HANDSHAKE && session.state() != RelaySession.State.AUTHENTICATED
                && helloTimer != null) {
            helloTimer.cancel();
            helloTimer = null;
        }
    }

    /** Executes one action; store reads and writes return the input that reports their result. */
    private Optional<Input> execute(Action action) {
        switch (action) {
            case Action.Send send -> sendMessage(send.message());
            case Action.ReadHead read -> {
                try {
                    return Optional.of(new Input.HeadRead(runtime.store().head(read.group())));
                } catch (RelayStoreException e) {
                    return Optional.of(new Input.StoreUnavailable());
                }
            }
            case Action.Append append -> {
                runtime.metrics().pushes.inc();
                try {
                    AppendResult result = runtime.store().append(append.group(), append.sender(), append.blob(),
                            append.payload(), runtime.clock().now(), append.ttl());
                    if (!result.duplicate()) {
                        runtime.metrics().blobsStored.inc();
                    }
                    return Optional.of(new Input.AppendCompleted(append.blob(), result.cursor(), result.duplicate()));
                } catch (RelayStoreException e) {
                    return Optional.of(e.code() == RelayStoreException.Code.QUOTA_EXCEEDED
                            ? new Input.AppendRefusedQuota(append.blob()) : new Input.StoreUnavailable());
                }
            }
            case Action.ReadPage read -> {
                runtime.metrics().pulls.inc();
                try {
                    Page page = runtime.store().pageAfter(read.group(), read.after(), read.maxBlobs(), read.maxBytes(),
                            runtime.clock().now());
                    List<Message.PulledBlob> blobs = new ArrayList<>();
                    for (StoredBlob b : page.blobs()) {
                        blobs.add(new Message.PulledBlob(b.cursor(), b.blob(), b.sender(), b.payload()));
                        runtime.metrics().bytesSent.inc(b.payload().length);
                    }
                    return Optional.of(new Input.PageRead(blobs, page.hasMore()));
                } catch (RelayStoreException e) {
                    return Optional.of(new Input.StoreUnavailable());
                }
            }
            case Action.JoinGroup join -> runtime.router().join(join.group(), this);
            case Action.LeaveGroup leave -> runtime.router().leave(leave.group(), this);
            case Action.Broadcast broadcast -> {
                for (RelayConnection other : runtime.router().others(broadcast.group(), this)) {
                    other.enqueue(new Input.GroupAdvanced(broadcast.head()));
                }
            }
            case Action.Close close -> closeNow();
        }
        return Optional.empty();
    }

    private void sendMessage(Message message) {
        if (closed) {
            return;
        }
        if (message instanceof Message.Error error) {
            runtime.metrics().errors.inc();
            if (error.code() == ErrorCode.RATE_LIMITED) {
                runtime.metrics().rateLimitHits.inc();
            }
            LOG.debug("connection {}: refusing with {}", number, error.code());
        }
        try {
            for (byte[] out : secure.seal(message)) {
                channel.send(out);
            }
        } catch (NoiseException e) {
            closeNow();
        }
    }

    private void closeNow() {
        if (closed) {
            return;
        }
        closed = true;
        if (helloTimer != null) {
            helloTimer.cancel();
        }
        if (secure != null) {
            secure.close();
        }
        if (channel != null) {
            channel.close();
        }
        runtime.connectionClosed(this);
        if (session != null && session.state() != RelaySession.State.CLOSED) {
            session.handle(new Input.TransportClosed(), runtime.clock().now());
            for (Action action : session.drainActions()) {
                if (action instanceof Action.LeaveGroup leave) {
                    runtime.router().leave(leave.group(), this);
                }
            }
        }
    }

    /** True once the connection is closed. */
    boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "RelayConnection[" + number + "]";
    }
}
