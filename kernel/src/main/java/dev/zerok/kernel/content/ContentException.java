package dev.zerok.kernel.content;

/**
 * A manifest could not be decoded or built, with a stable {@link Code}. Messages name the field and
 * the rule broken; they never quote file names or paths, which are private to the group.
 */
public final class ContentException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Stable failure codes. */
    public enum Code {
        /** Not MessagePack, a wrong MessagePack type, a wrong field count, or a non-canonical encoding. */
        MALFORMED(1),
        /** The input ended inside a value, or a declared length or count exceeds the bytes that remain. */
        TRUNCATED(2),
        /** Bytes follow the end of the manifest. */
        TRAILING_BYTES(3),
        /** The manifest format version is not one this build reads. */
        UNSUPPORTED_VERSION(4),
        /** More than {@link Manifest#MAX_ENTRIES} entries, or a name or path longer than its limit. */
        TOO_LARGE(5),
        /** The collection name is empty, not valid UTF-8 text, or contains '/' or NUL, or is "." or "..". */
        BAD_NAME(6),
        /** A path is empty, absolute, has an empty, "." or ".." segment, a NUL or a backslash, or is not valid UTF-8 text. */
        BAD_PATH(7),
        /** Two entries have the same path, or a file's path is used as a directory by another entry. */
        DUPLICATE_PATH(8),
        /**
         * An entry contradicts itself: a file whose chunk count is not ceil(size / 1 MiB), a
         * directory with a size or chunks, a mode outside 0..07777, an unknown entry type, or a
         * timestamp out of range.
         */
        INVALID_VALUE(9);

        private final int value;

        Code(int value) {
            this.value = value;
        }

        /** The stable numeric code. */
        public int value() {
            return value;
        }
    }

    private final Code code;

    /**
     * @param code what went wrong
     * @param message what happened; never paths, names or content
     */
    public ContentException(Code code, String message) {
        super(message);
        this.code = code;
    }

    /** What went wrong, as a stable code. */
    public Code code() {
        return code;
    }

    @Override
    public String getMessage() {
        return code + ": " + super.getMessage();
    }
}
