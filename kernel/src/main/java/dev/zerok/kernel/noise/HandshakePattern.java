package dev.zerok.kernel.noise;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A handshake pattern as data: the pre-messages and the token list of each message, in order,
 * alternating initiator, responder, initiator, ... (Noise spec rev 34 section 7). The
 * {@link HandshakeState} interprets the table; no pattern has code of its own.
 *
 * @param name the pattern name as it appears in a protocol name, e.g. {@code XX}, {@code XXhfs}
 * @param initiatorPreMessage tokens the responder knows beforehand ({@code s} or empty)
 * @param responderPreMessage tokens the initiator knows beforehand ({@code s} or empty)
 * @param messages the handshake messages; message {@code i} is written by the initiator when
 *     {@code i} is even
 */
public record HandshakePattern(
        String name, List<Token> initiatorPreMessage, List<Token> responderPreMessage, List<List<Token>> messages) {
    public HandshakePattern {
        initiatorPreMessage = List.copyOf(initiatorPreMessage);
        responderPreMessage = List.copyOf(responderPreMessage);
        messages = messages.stream().map(List::copyOf).toList();
    }

    /** True for the one-way patterns (N, K, X): only the initiator sends transport messages. */
    public boolean oneWay() {
        return messages.size() == 1;
    }

    /** True if any message carries an HFS KEM token. */
    public boolean usesKem() {
        return messages.stream().anyMatch(m -> m.contains(Token.E1) || m.contains(Token.EKEM1));
    }

    private static final List<Token> NONE = List.of();
    private static final List<Token> S = List.of(Token.S);

    /** The zerok handshake: XX with hybrid forward secrecy (Noise HFS extension section 5). */
    public static final HandshakePattern XX_HFS = new HandshakePattern("XXhfs", NONE, NONE, List.of(
            List.of(Token.E, Token.E1),
            List.of(Token.E, Token.EE, Token.EKEM1, Token.S, Token.ES),
            List.of(Token.S, Token.SE)));

    private static final Map<String, HandshakePattern> BY_NAME = Stream.of(
            new HandshakePattern("N", NONE, S, List.of(List.of(Token.E, Token.ES))),
            new HandshakePattern("K", S, S, List.of(List.of(Token.E, Token.ES, Token.SS))),
            new HandshakePattern("X", NONE, S, List.of(List.of(Token.E, Token.ES, Token.S, Token.SS))),
            new HandshakePattern("NN", NONE, NONE, List.of(List.of(Token.E), List.of(Token.E, Token.EE))),
            new HandshakePattern("NK", NONE, S, List.of(List.of(Token.E, Token.ES), List.of(Token.E, Token.EE))),
            new HandshakePattern("NX", NONE, NONE,
                    List.of(List.of(Token.E), List.of(Token.E, Token.EE, Token.S, Token.ES))),
            new HandshakePattern("XN", NONE, NONE,
                    List.of(List.of(Token.E), List.of(Token.E, Token.EE), List.of(Token.S, Token.SE))),
            new HandshakePattern("XK", NONE, S, List.of(List.of(Token.E, Token.ES), List.of(Token.E, Token.EE),
                    List.of(Token.S, Token.SE))),
            new HandshakePattern("XX", NONE, NONE, List.of(List.of(Token.E),
                    List.of(Token.E, Token.EE, Token.S, Token.ES), List.of(Token.S, Token.SE))),
            new HandshakePattern("KN", S, NONE, List.of(List.of(Token.E), List.of(Token.E, Token.EE, Token.SE))),
            new HandshakePattern("KK", S, S,
                    List.of(List.of(Token.E, Token.ES, Token.SS), List.of(Token.E, Token.EE, Token.SE))),
            new HandshakePattern("KX", S, NONE,
                    List.of(List.of(Token.E), List.of(Token.E, Token.EE, Token.SE, Token.S, Token.ES))),
            new HandshakePattern("IN", NONE, NONE,
                    List.of(List.of(Token.E, Token.S), List.of(Token.E, Token.EE, Token.SE))),
            new HandshakePattern("IK", NONE, S, List.of(List.of(Token.E, Token.ES, Token.S, Token.SS),
                    List.of(Token.E, Token.EE, Token.SE))),
            new HandshakePattern("IX", NONE, NONE, List.of(List.of(Token.E, Token.S),
                    List.of(Token.E, Token.EE, Token.SE, Token.S, Token.ES))),
            XX_HFS)
            .collect(Collectors.toUnmodifiableMap(HandshakePattern::name, Function.identity()));

    /** The pattern named {@code name} (the fundamental interactive and one-way patterns, and XXhfs). */
    public static Optional<HandshakePattern> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }
}
