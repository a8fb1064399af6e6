package dev.zerok.relayapp;

import dev.zerok.ports.id.GroupId;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Which live connections belong to which group, for Notify fan-out. Members are kept in the order
 * they joined, so fan-out order (and whatever the connections draw from seeded entropy after it)
 * is the same in every run of a seeded simulation; a hash-ordered set followed identity hashes,
 * which differ between runs. Thread-safe (one lock; joins, leaves and fan-outs are short).
 */
final class GroupRouter {
    private final Map<GroupId, LinkedHashSet<RelayConnection>> groups = new HashMap<>();

    synchronized void join(GroupId group, RelayConnection connection) {
        groups.computeIfAbsent(group, g -> new LinkedHashSet<>()).add(connection);
    }

    synchronized void leave(GroupId group, RelayConnection connection) {
        LinkedHashSet<RelayConnection> members = groups.get(group);
        if (members != null && members.remove(connection) && members.isEmpty()) {
            groups.remove(group);
        }
    }

    /** The group's connections other than {@code except}, in the order they joined. */
    synchronized List<RelayConnection> others(GroupId group, RelayConnection except) {
        LinkedHashSet<RelayConnection> members = groups.get(group);
        return members == null ? List.of() : members.stream().filter(c -> c != except).toList();
    }

    /** Groups with at least one live connection. */
    synchronized int activeGroups() {
        return groups.size();
    }
}
