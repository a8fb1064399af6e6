package dev.zerok.chaos.proxy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A real UDP endpoint on 127.0.0.1 for the proxy tests: records every datagram it receives (with
 * the receive time on {@link System#nanoTime()}) and, as an echo, sends each one back to its sender.
 */
final class UdpPeer implements AutoCloseable {

    record Received(byte[] payload, long atNanos, InetSocketAddress from) {}

    private final DatagramChannel channel;
    private final boolean echo;
    private final Thread receiver;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final List<Received> received = new ArrayList<>();

    private UdpPeer(boolean echo) throws IOException {
        this.echo = echo;
        this.channel = DatagramChannel.open();
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
        channel.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
        channel.bind(new InetSocketAddress("127.0.0.1", 0));
        this.receiver = Thread.ofPlatform().daemon().name("udp-peer-" + address().getPort()).start(this::receive);
    }

    /** A peer that only records. */
    static UdpPeer sink() throws IOException {
        return new UdpPeer(false);
    }

    /** A peer that records and sends every datagram back to where it came from. */
    static UdpPeer echo() throws IOException {
        return new UdpPeer(true);
    }

    InetSocketAddress address() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    void send(InetSocketAddress to, byte[] payload) throws IOException {
        channel.send(ByteBuffer.wrap(payload), to);
    }

    int count() {
        lock.lock();
        try {
            return received.size();
        } finally {
            lock.unlock();
        }
    }

    List<Received> received() {
        lock.lock();
        try {
            return List.copyOf(received);
        } finally {
            lock.unlock();
        }
    }

    /** Waits until at least {@code n} datagrams have arrived or the timeout passes; returns the count. */
    int awaitCount(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (received.size() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                arrived.await(left, TimeUnit.NANOSECONDS);
            }
            return received.size();
        } finally {
            lock.unlock();
        }
    }

    private void receive() {
        ByteBuffer buffer = ByteBuffer.allocate(65_536);
        try {
            while (true) {
                buffer.clear();
                SocketAddress from = channel.receive(buffer);
                long at = System.nanoTime();
                buffer.flip();
                byte[] payload = new byte[buffer.remaining()];
                buffer.get(payload);
                if (echo) {
                    channel.send(ByteBuffer.wrap(payload), from);
                }
                lock.lock();
                try {
                    received.add(new Received(payload, at, (InetSocketAddress) from));
                    arrived.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        } catch (ClosedChannelException e) {
            // closed by close(): the normal end
        } catch (IOException e) {
            throw new IllegalStateException("udp peer failed", e);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        channel.close();
        receiver.join(TimeUnit.SECONDS.toMillis(5));
    }
}
