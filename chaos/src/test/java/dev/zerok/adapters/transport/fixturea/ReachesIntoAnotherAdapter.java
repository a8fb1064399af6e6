package dev.zerok.adapters.transport.fixturea;

/** Deliberately bad: an adapter using another adapter and the kernel (rule fixture). */
public final class ReachesIntoAnotherAdapter {
    dev.zerok.adapters.storage.fixtureb.SomeAdapterClass other;
    dev.zerok.kernel.wire.MessageCodec kernel;
}
