package dev.zerok.ports.archfixture;

/** Deliberately bad: a port depending on a library (rule fixture). */
public final class PortUsingALibrary {
    org.msgpack.core.MessagePacker packer;
}
