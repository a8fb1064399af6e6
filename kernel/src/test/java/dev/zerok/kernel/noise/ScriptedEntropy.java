package dev.zerok.kernel.noise;

import dev.zerok.ports.entropy.Entropy;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Entropy that hands out prepared byte strings in order: how a test vector's fixed ephemeral key
 * reaches the handshake through the same port production uses. Fails loudly when a request does
 * not match the next prepared length.
 */
final class ScriptedEntropy implements Entropy {
    private final Deque<byte[]> script = new ArrayDeque<>();

    ScriptedEntropy(byte[]... outputs) {
        for (byte[] output : outputs) {
            script.add(output.clone());
        }
    }

    @Override
    public void nextBytes(byte[] out) {
        byte[] next = script.poll();
        if (next == null || next.length != out.length) {
            throw new IllegalStateException("scripted entropy had no " + out.length + "-byte output prepared");
        }
        System.arraycopy(next, 0, out, 0, out.length);
    }
}
