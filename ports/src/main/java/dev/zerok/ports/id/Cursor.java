package dev.zerok.ports.id;

/**
 * A relay-assigned position in one group's log: an <b>unsigned</b> 64-bit integer, strictly
 * increasing per group, allocated in the same transaction as the blob it names. {@link #ZERO} is
 * "before the first blob": a pull after {@code ZERO} starts at the beginning of the log.
 *
 * <p>The value is held in a {@code long} whose bits are read as unsigned (values above
 * {@link Long#MAX_VALUE} are negative as Java {@code long}s); ordering uses
 * {@link Long#compareUnsigned}. Immutable and thread-safe. A push-ack cursor and a pull cursor are
 * the same type but never the same variable: see docs/PROTOCOL.md.
 *
 * @param value the cursor as unsigned 64-bit bits
 */
public record Cursor(long value) implements Comparable<Cursor> {
    /** The position before every blob of a group. */
    public static final Cursor ZERO = new Cursor(0);

    /** The cursor as an unsigned decimal string, e.g. {@code 18446744073709551615}. */
    public String toUnsignedString() {
        return Long.toUnsignedString(value);
    }

    /** True if this cursor is strictly after {@code other} in unsigned order. */
    public boolean isAfter(Cursor other) {
        return compareTo(other) > 0;
    }

    /**
     * The next cursor.
     *
     * @throws ArithmeticException if this is the largest unsigned 64-bit value
     */
    public Cursor next() {
        if (value == -1L) {
            throw new ArithmeticException("cursor space exhausted at 2^64-1");
        }
        return new Cursor(value + 1);
    }

    @Override
    public int compareTo(Cursor other) {
        return Long.compareUnsigned(value, other.value);
    }

    @Override
    public String toString() {
        return "Cursor[" + toUnsignedString() + "]";
    }
}
