package dev.zerok.ports.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * Finds a port provider by name through {@link ServiceLoader}. The applications' Dagger modules
 * and the chaos topologies call this; the kernel never does (an architecture rule forbids it).
 *
 * <p>Thread-safe: each call uses its own {@code ServiceLoader}.
 */
public final class Providers {
    private Providers() {}

    /**
     * Returns the provider of {@code family} whose {@link NamedProvider#name()} equals {@code name}.
     *
     * @param family the provider interface, e.g. {@code TransportProvider.class}
     * @param name the configured name, e.g. {@code quic}
     * @param loader the class loader whose {@code META-INF/services} entries are searched
     * @throws ConfigException if no provider has that name (the message lists the names found),
     *     if two providers claim it, or if a listed provider cannot be instantiated
     */
    public static <P extends NamedProvider> P select(Class<P> family, String name, ClassLoader loader)
            throws ConfigException {
        List<P> matches = new ArrayList<>();
        TreeSet<String> found = new TreeSet<>();
        try {
            for (P provider : ServiceLoader.load(family, loader)) {
                found.add(provider.name());
                if (provider.name().equals(name)) {
                    matches.add(provider);
                }
            }
        } catch (ServiceConfigurationError e) {
            throw new ConfigException("a " + family.getSimpleName() + " listed in META-INF/services could not be loaded: "
                    + e.getMessage(), e);
        }
        if (matches.isEmpty()) {
            throw new ConfigException("no " + family.getSimpleName() + " named '" + name + "' on the class path; found "
                    + (found.isEmpty() ? "none" : found) + ". Add the adapter's jar or fix the configured name.");
        }
        if (matches.size() > 1) {
            throw new ConfigException(matches.size() + " providers of " + family.getSimpleName() + " are named '" + name
                    + "': " + matches.stream().map(p -> p.getClass().getName()).toList());
        }
        return matches.get(0);
    }

    /** {@link #select(Class, String, ClassLoader)} with the family's own class loader. */
    public static <P extends NamedProvider> P select(Class<P> family, String name) throws ConfigException {
        return select(family, name, family.getClassLoader());
    }

    /** The names of every provider of {@code family} visible to {@code loader}, sorted. */
    public static <P extends NamedProvider> List<String> names(Class<P> family, ClassLoader loader) {
        TreeSet<String> found = new TreeSet<>();
        for (P provider : ServiceLoader.load(family, loader)) {
            found.add(provider.name());
        }
        return List.copyOf(found);
    }
}
