package dev.zerok.ports.spi;

/**
 * What every ServiceLoader provider of a port family has in common: a stable name by which
 * configuration selects it (for example {@code quic}, {@code mock}, {@code sqlite}).
 *
 * <p>Implementations are public, have a public no-argument constructor and are listed in
 * {@code META-INF/services/<provider interface name>}; everything else in an adapter stays
 * package-private. See docs/ARCHITECTURE.md, "Adding an adapter".
 */
public interface NamedProvider {
    /** The provider's name: lower case, {@code [a-z0-9-]+}, unique within its port family. */
    String name();
}
