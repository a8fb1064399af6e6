package dev.zerok.adapters.transport.quic;

import dev.zerok.ports.transport.Acceptor;
import dev.zerok.ports.transport.Channel;
import dev.zerok.ports.transport.ChannelHandler;
import dev.zerok.ports.transport.Endpoint;
import dev.zerok.ports.transport.Transport;
import dev.zerok.ports.transport.TransportException;
import dev.zerok.ports.transport.TransportException.Code;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicConnectionCloseEvent;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamResetException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One port {@link Channel} on one bidirectional QUIC stream of its own connection. Outbound: each
 * message becomes {@code uint16 length (big-endian) || bytes}. Inbound: the length is read first
 * and checked (0 is a violation; 65535 is the structural maximum) before the body is buffered.
 *
 * <p>Events reach the port handler only on the connection's event loop, so they are serialized.
 * {@link #send} and {@link #close} may be called from any thread.
 */
final class StreamChannel implements Channel {
    private static final int HEADER_BYTES = 2;

    private final QuicTransport transport;
    private final QuicChannel connection;
    private final Endpoint remote;
    private final Acceptor acceptor;
    private volatile ChannelHandler handler;
    private volatile QuicStreamChannel stream;
    private final AtomicBoolean closeRequested = new AtomicBoolean();
    /** What the user asked for last; the event loop applies it (autoRead) and checks it per message. */
    private volatile boolean paused;
    // Event-loop confined:
    private volatile boolean reported;
    private ByteBuf cumulation;
    private long partialGeneration;
    /** A read timer is armed for the incomplete message at the end of {@link #cumulation}. */
    private boolean partial;
    /** The peer's FIN was read but not yet acted on because the channel was paused. */
    private boolean inputShutdown;
    private Inbound inbound;

    /** Either {@code handler} (client side) or {@code acceptor} (server side) is given. */
    StreamChannel(QuicTransport transport, QuicChannel connection, Endpoint remote, ChannelHandler handler,
            Acceptor acceptor) {
        this.transport = transport;
        this.connection = connection;
        this.remote = remote;
        this.handler = handler;
        this.acceptor = acceptor;
    }

    io.netty.channel.ChannelHandler inbound() {
        inbound = new Inbound();
        return inbound;
    }

    /**
     * Stops reading the stream (autoRead off), so quiche keeps the peer's bytes unconsumed and does
     * not return their credit (MAX_STREAM_DATA, RFC 9000 section 4.1); bytes already read stay in
     * the cumulation undelivered. The read timer of a partial message is suspended.
     */
    @Override
    public void pauseReading() {
        paused = true;
        onEventLoop(this::applyReadState);
    }

    /** Delivers what was held, then reads on; a partial message gets a fresh read timeout. */
    @Override
    public void resumeReading() {
        paused = false;
        onEventLoop(this::applyReadState);
    }

    /** Brings autoRead and delivery in line with {@link #paused}. Event loop only. */
    private void applyReadState() {
        QuicStreamChannel s = stream;
        if (s == null || reported || cumulation == null) {
            return;
        }
        if (paused) {
            s.config().setAutoRead(false);
            suspendReadTimer();
            return;
        }
        // What the pause held goes first: turning autoRead on reads at once, and that read may
        // carry the peer's FIN, which must not overtake the held messages.
        inbound.decode();
        if (reported || paused) {
            return;
        }
        if (inputShutdown) {
            inbound.onFin();
            return;
        }
        s.config().setAutoRead(true);
        if (!reported && !paused) {
            s.read();
        }
    }

    /** Our pause is not the peer's slowness: no read timeout while paused. Event loop only. */
    private void suspendReadTimer() {
        partial = false;
        partialGeneration++;
    }

    @Override
    public Endpoint remoteEndpoint() {
        return remote;
    }

    @Override
    public boolean isOpen() {
        QuicStreamChannel s = stream;
        return !closeRequested.get() && !reported && s != null && s.isActive();
    }

    @Override
    public CompletionStage<Void> send(byte[] message) {
        if (message == null || message.length == 0 || message.length > Transport.MAX_MESSAGE_BYTES) {
            return CompletableFuture.failedFuture(new TransportException(Code.TOO_LARGE,
                    "a message must be 1 to " + Transport.MAX_MESSAGE_BYTES + " bytes, got "
                            + (message == null ? "none" : message.length) + "; split it"));
        }
        QuicStreamChannel s = stream;
        if (closeRequested.get() || reported || s == null) {
            return CompletableFuture.failedFuture(closedException());
        }
        ByteBuf frame = s.alloc().directBuffer(HEADER_BYTES + message.length);
        frame.writeShort(message.length).writeBytes(message);
        CompletableFuture<Void> done = new CompletableFuture<>();
        s.writeAndFlush(frame).addListener(written -> {
            if (written.isSuccess()) {
                done.complete(null);
            } else if (closeRequested.get() || reported) {
                done.completeExceptionally(closedException());
            } else {
                done.completeExceptionally(new TransportException(Code.RESET,
                        "send to " + remote + " failed: the stream broke; reconnect", written.cause()));
            }
        });
        return done;
    }

    private TransportException closedException() {
        return new TransportException(Code.CLOSED, "send on a closed channel to " + remote + "; open a new one");
    }

    /**
     * Sends a FIN after the queued messages and reports the close locally. The peer, on the FIN,
     * reports its close and ends the connection; if it does not within the linger time, this side
     * ends it.
     */
    @Override
    public void close() {
        if (!closeRequested.compareAndSet(false, true)) {
            return;
        }
        QuicStreamChannel s = stream;
        if (s == null) {
            connection.close();
            return;
        }
        s.writeAndFlush(new DefaultQuicStreamFrame(Unpooled.EMPTY_BUFFER, true));
        s.eventLoop().execute(() -> report(Optional.empty()));
        transport.clock.schedule(transport.lingerTimeout(), () -> {
            if (connection.isOpen()) {
                connection.close(true, QuicTransport.APP_NO_ERROR, QuicTransport.noReason());
            }
        });
    }

    /**
     * Runs {@code task} on the connection's event loop unless the transport has shut that loop
     * down (a timer that fires after {@code close()} has nothing left to time out).
     */
    private void onEventLoop(Runnable task) {
        io.netty.channel.EventLoop loop = connection.eventLoop();
        if (loop.isShuttingDown()) {
            return;
        }
        if (loop.inEventLoop()) {
            task.run();
            return;
        }
        try {
            loop.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the loop terminated between the check and the call: same as above
        }
    }

    /** Reports an orderly close and ends the connection now (transport shutdown). */
    io.netty.util.concurrent.Future<Void> closeConnectionNow() {
        closeRequested.set(true);
        connection.eventLoop().execute(() -> report(Optional.empty()));
        return connection.close(true, QuicTransport.APP_NO_ERROR, QuicTransport.noReason());
    }

    /** Delivers the single close event. Event loop only. */
    private void report(Optional<TransportException> cause) {
        if (reported) {
            return;
        }
        reported = true;
        transport.channels.remove(this);
        ChannelHandler h = handler;
        if (h != null) {
            try {
                h.onClosed(cause);
            } catch (RuntimeException e) {
                // A failing handler must not break the event loop; the close already happened.
            }
        }
    }

    /** Reports {@code cause} and ends the connection with {@code applicationCode}. Event loop only. */
    private void fail(TransportException cause, int applicationCode) {
        report(Optional.of(cause));
        connection.close(true, applicationCode, QuicTransport.noReason());
    }

    /** The port's view of a stream that ended without a FIN. */
    private Optional<TransportException> causeOfLoss(Throwable streamError) {
        String what = "channel to " + remote;
        if (connection.isTimedOut()) {
            return Optional.of(new TransportException(Code.TIMEOUT,
                    what + ": no packets for the idle timeout " + transport.settings.idleTimeout() + "; reconnect"));
        }
        QuicConnectionCloseEvent event = connection.attr(QuicTransport.CLOSE_EVENT).get();
        if (event != null) {
            return Optional.ofNullable(QuicTransport.fromCloseEvent(event, what));
        }
        if (streamError instanceof QuicStreamResetException) {
            return Optional.of(new TransportException(Code.RESET, what + ": the peer reset the stream; reconnect"));
        }
        return Optional.of(new TransportException(Code.RESET, what + ": the connection was lost; reconnect"));
    }

    /** The stream pipeline's handler: framing, timeouts, and events to the port handler. */
    private final class Inbound extends ChannelInboundHandlerAdapter {
        private Throwable streamError;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            QuicStreamChannel s = (QuicStreamChannel) ctx.channel();
            // A FIN must arrive as an event, not as an immediate close, to tell it from a loss.
            s.config().setAllowHalfClosure(true);
            cumulation = ctx.alloc().heapBuffer();
            if (paused) {
                s.config().setAutoRead(false);
            }
            stream = s;
            transport.channels.add(StreamChannel.this);
            if (acceptor != null) {
                try {
                    handler = acceptor.onAccept(StreamChannel.this);
                } catch (RuntimeException e) {
                    handler = null;
                }
                if (handler == null) {
                    fail(new TransportException(Code.REFUSED, "the acceptor gave no handler"), QuicTransport.APP_REFUSED);
                }
            }
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (cumulation != null) {
                cumulation.release();
                cumulation = null;
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                if (reported || cumulation == null) {
                    return;
                }
                cumulation.discardReadBytes();
                cumulation.writeBytes(in);
                decode();
            } finally {
                in.release();
            }
        }

        void decode() {
            boolean delivered = false;
            // paused is re-read before each message: a pause from inside onMessage holds the rest.
            while (!reported && !paused && cumulation.readableBytes() >= HEADER_BYTES) {
                int length = cumulation.getUnsignedShort(cumulation.readerIndex());
                if (length == 0) {
                    fail(new TransportException(Code.TOO_LARGE, "the peer at " + remote
                            + " sent a frame header announcing 0 bytes; the connection is closed"), QuicTransport.APP_BAD_FRAME);
                    return;
                }
                if (cumulation.readableBytes() < HEADER_BYTES + length) {
                    break;
                }
                cumulation.skipBytes(HEADER_BYTES);
                byte[] message = new byte[length];
                cumulation.readBytes(message);
                delivered = true;
                try {
                    handler.onMessage(message);
                } catch (RuntimeException e) {
                    // The handler's own failure; the channel goes on.
                }
            }
            if (reported) {
                return;
            }
            if (!cumulation.isReadable() || paused) {
                suspendReadTimer();
            } else if (!partial || delivered) {
                // A new incomplete message started: it must complete within the read timeout.
                armReadTimer();
            }
        }

        /** The message now pending must be complete within the read timeout. Event loop only. */
        void armReadTimer() {
            partial = true;
            long generation = ++partialGeneration;
            transport.clock.schedule(transport.settings.readTimeout(), () -> onEventLoop(() -> {
                if (!reported && !paused && partial && partialGeneration == generation) {
                    fail(new TransportException(Code.TIMEOUT, "a message from " + remote + " stayed incomplete for "
                            + transport.settings.readTimeout() + "; the connection is closed"),
                            QuicTransport.APP_READ_TIMEOUT);
                }
            }));
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof ChannelInputShutdownEvent && !reported) {
                inputShutdown = true;
                // Complete messages may still be held (a read that raced a pause, or a pause that
                // just ended): they are delivered first, and while paused the FIN waits behind them.
                if (!paused) {
                    decode();
                }
                if (!reported && !paused) {
                    onFin();
                }
            }
            ctx.fireUserEventTriggered(event);
        }

        /** The peer's FIN, once every complete message before it was delivered. Event loop only. */
        void onFin() {
            if (reported) {
                return;
            }
            if (cumulation != null && cumulation.isReadable()) {
                fail(new TransportException(Code.PROTOCOL, "the peer at " + remote
                        + " ended the stream inside a message"), QuicTransport.APP_BAD_FRAME);
            } else {
                report(Optional.empty());
                connection.close(true, QuicTransport.APP_NO_ERROR, QuicTransport.noReason());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            streamError = cause;
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!reported) {
                report(causeOfLoss(streamError));
            }
            ctx.fireChannelInactive();
        }
    }

    @Override
    public String toString() {
        return "QuicChannel[to " + remote + (isOpen() ? "" : ", closed") + "]";
    }
}

