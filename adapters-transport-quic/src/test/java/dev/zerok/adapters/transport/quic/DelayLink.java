package dev.zerok.adapters.transport.quic;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP link with a fixed one-way delay in both directions between one client and one server, the
 * seed's "latency" fault in front of a QUIC server (for tests). The client sends to
 * {@link #port()}; each datagram reaches the server {@code oneWay} later from the link's own
 * socket, and each reply reaches the client {@code oneWay} later. Nothing is dropped, reordered or
 * altered. Counts datagrams per direction. Thread-safe; close it to stop.
 */
final class DelayLink implements AutoCloseable {
    private static final int MAX_DATAGRAM_BYTES = 65_535;

    private final Duration oneWay;
    private final InetSocketAddress server;
    private final DatagramSocket front;
    private final DatagramSocket back;
    private final ScheduledThreadPoolExecutor delays = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "delay-link"));
    private final AtomicLong up = new AtomicLong();
    private final AtomicLong down = new AtomicLong();
    private volatile SocketAddress client;
    private volatile boolean closed;

    DelayLink(InetSocketAddress server, Duration oneWay) throws SocketException {
        this.server = server;
        this.oneWay = oneWay;
        this.front = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        this.back = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        daemon(this::clientToServer, "delay-link-up").start();
        daemon(this::serverToClient, "delay-link-down").start();
    }

    /** The port clients send to. */
    int port() {
        return front.getLocalPort();
    }

    /** Datagrams that entered from the client (client to server). */
    long upDatagrams() {
        return up.get();
    }

    /** Datagrams that entered from the server (server to client). */
    long downDatagrams() {
        return down.get();
    }

    private void clientToServer() {
        byte[] buffer = new byte[MAX_DATAGRAM_BYTES];
        while (!closed) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                front.receive(packet);
            } catch (IOException e) {
                return;
            }
            client = packet.getSocketAddress();
            up.incrementAndGet();
            forward(back, Arrays.copyOf(packet.getData(), packet.getLength()), server);
        }
    }

    private void serverToClient() {
        byte[] buffer = new byte[MAX_DATAGRAM_BYTES];
        while (!closed) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                back.receive(packet);
            } catch (IOException e) {
                return;
            }
            down.incrementAndGet();
            SocketAddress to = client;
            if (to != null) {
                forward(front, Arrays.copyOf(packet.getData(), packet.getLength()), to);
            }
        }
    }

    private void forward(DatagramSocket out, byte[] bytes, SocketAddress to) {
        try {
            delays.schedule(() -> {
                try {
                    out.send(new DatagramPacket(bytes, bytes.length, to));
                } catch (IOException e) {
                    // closed meanwhile: the datagram is lost, as on a real link
                }
            }, oneWay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // the link is closing: the datagram is lost
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void close() {
        closed = true;
        delays.shutdownNow();
        front.close();
        back.close();
    }
}
