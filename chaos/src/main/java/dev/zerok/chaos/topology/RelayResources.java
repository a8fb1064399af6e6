package dev.zerok.chaos.topology;

/**
 * What a relay holds at one moment (seed 000 section 13.1: relay memory and open file descriptors),
 * for leak checks such as T-CONN-04.
 *
 * @param openFds file descriptors open in the relay process ({@code /proc/PID/fd}); -1 where the
 *     topology cannot tell (a relay inside the test JVM)
 * @param rssBytes resident set size of the relay process in bytes; -1 where the topology cannot tell
 * @param sessions device sessions the relay has open (connections, authenticated or not)
 */
public record RelayResources(int openFds, long rssBytes, int sessions) {}
