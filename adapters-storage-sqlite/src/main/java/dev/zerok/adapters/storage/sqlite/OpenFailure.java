package dev.zerok.adapters.storage.sqlite;

/**
 * Why a database could not be opened, before it is translated into the caller's port exception.
 * The message names the file's role, never its contents.
 */
final class OpenFailure extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean incompatible;

    OpenFailure(boolean incompatible, String message, Throwable cause) {
        super(message, cause);
        this.incompatible = incompatible;
    }

    /** True if the file is not a zerok store of the expected kind or has a newer schema. */
    boolean incompatible() {
        return incompatible;
    }
}
