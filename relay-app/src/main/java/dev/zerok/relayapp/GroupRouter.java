package dev.zerok.relayapp;

import dev.zerok.ports.id.GroupId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Which live connections belong to which group, for Notify fan-out. Thread-safe. */
final class GroupRouter {
    private final Map<GroupId, Set<RelayConnection>> groups = new ConcurrentHashMap<>();

    void join(GroupId group, RelayConnection connection) {
        groups.computeIfAbsent(group, g -> ConcurrentHashMap.newKeySet()).add(connection);
    }

    void leave(GroupId group, RelayConnection connection) {
        groups.computeIfPresent(group, (g, members) -> {
            members.remove(connection);
            return members.isEmpty() ? null : members;
        });
    }

    /** The group's connections other than {@code except}. */
    List<RelayConnection> others(GroupId group, RelayConnection except) {
        Set<RelayConnection> members = groups.get(group);
        return members == null ? List.of() : members.stream().filter(c -> c != except).toList();
    }

    /** Groups with at least one live connection. */
    int activeGroups() {
        return groups.size();
    }
}
