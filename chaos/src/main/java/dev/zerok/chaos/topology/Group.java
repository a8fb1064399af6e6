package dev.zerok.chaos.topology;

import dev.zerok.ports.id.GroupId;
import java.util.Optional;

/** A sync group of a topology (one group secret). Identity only: compare by reference. */
public interface Group {
    /** A stable, human name for timelines ({@code group-1}); never an id or a secret. */
    String name();

    /**
     * The group id the relays see, for the no-metadata check; empty if the topology cannot tell.
     * (Added after the interface was first committed; the default keeps implementations compiling.)
     */
    default Optional<GroupId> groupId() {
        return Optional.empty();
    }
}
