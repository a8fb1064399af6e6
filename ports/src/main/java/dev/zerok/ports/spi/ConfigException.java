package dev.zerok.ports.spi;

/**
 * A configuration value is missing, malformed, out of range or unknown, or a named provider does
 * not exist. The message names the key (or provider) and what would be accepted; it never contains
 * a secret value.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
