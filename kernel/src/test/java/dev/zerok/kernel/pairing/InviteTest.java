package dev.zerok.kernel.pairing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.adapters.crypto.BouncyCastleKeyExchangeProvider;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.testkit.SeededEntropy;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class InviteTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private final SeededEntropy entropy = new SeededEntropy(11);
    private final KeyExchange crypto = crypto();
    private final byte[] relayKey = entropy.bytes(32);
    private final Secret groupSecret = Secret.adopt(entropy.bytes(32));

    private Invite embeddedInvite() throws PairingException {
        try (GroupKeys keys = GroupKeys.derive(crypto, groupSecret)) {
            return new Invite(List.of(new Invite.RelayPin("relay.example:4433", relayKey)), keys.groupId(),
                    new Invite.GroupSecretSource.Embedded(groupSecret.copy()), NOW.plus(Duration.ofHours(1)));
        }
    }

    @Test
    void sealThenOpen_embeddedSecret_roundTripsEveryField() throws Exception {
        Invite invite = embeddedInvite();
        InviteCodec.Sealed sealed = InviteCodec.seal(invite, crypto, entropy, Argon2Params.FLOOR);

        assertThat(sealed.shortCode()).matches("[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}");
        Invite opened = InviteCodec.openText(sealed.text(), sealed.shortCode().toLowerCase(), NOW, crypto);
        assertThat(opened.relays()).isEqualTo(invite.relays());
        assertThat(opened.groupId()).isEqualTo(invite.groupId());
        assertThat(opened.expiresAt()).isEqualTo(invite.expiresAt());
        Secret received = ((Invite.GroupSecretSource.Embedded) opened.secret()).groupSecret();
        assertThat(received.contentEquals(groupSecret)).isTrue();
        assertThat(opened.secret().toString()).isEqualTo("Embedded[REDACTED]");
        assertThat(sealed.toString()).doesNotContain(sealed.shortCode());
    }

    @Test
    void shortCodeAndEnvelope_neverContainSecretBytes() throws Exception {
        InviteCodec.Sealed sealed = InviteCodec.seal(embeddedInvite(), crypto, entropy, Argon2Params.FLOOR);
        String secretHex = HexFormat.of().formatHex(groupSecret.expose());
        assertThat(HexFormat.of().formatHex(sealed.envelope())).doesNotContain(secretHex.substring(0, 16));
        assertThat(sealed.shortCode()).doesNotContain(secretHex.substring(0, 4).toUpperCase());
    }

    @Test
    void open_tamperedEnvelope_rejected() throws Exception {
        InviteCodec.Sealed sealed = InviteCodec.seal(embeddedInvite(), crypto, entropy, Argon2Params.FLOOR);
        for (int position : new int[] {27, 40, 60, sealed.envelope().length - 1}) {
            byte[] tampered = sealed.envelope();
            tampered[position] ^= 0x01;
            assertCode(() -> InviteCodec.open(tampered, sealed.shortCode(), NOW, crypto),
                    PairingException.Code.TAMPERED_OR_WRONG_CODE);
        }
        byte[] weakened = sealed.envelope();
        weakened[7] = 0; // memory cost drops far below the floor
        assertCode(() -> InviteCodec.open(weakened, sealed.shortCode(), NOW, crypto),
                PairingException.Code.WEAK_OR_EXCESSIVE_PARAMETERS);
    }

    @Test
    void open_wrongCode_rejected() throws Exception {
        InviteCodec.Sealed sealed = InviteCodec.seal(embeddedInvite(), crypto, entropy, Argon2Params.FLOOR);
        assertCode(() -> InviteCodec.open(sealed.envelope(), "0000-0000-0000-0000", NOW, crypto),
                PairingException.Code.TAMPERED_OR_WRONG_CODE);
        assertCode(() -> InviteCodec.open(sealed.envelope(), "0000-0000", NOW, crypto),
                PairingException.Code.BAD_SHORT_CODE);
    }

    @Test
    void open_afterExpiry_rejectedWithClearError() throws Exception {
        InviteCodec.Sealed sealed = InviteCodec.seal(embeddedInvite(), crypto, entropy, Argon2Params.FLOOR);
        assertThatThrownBy(() -> InviteCodec.open(sealed.envelope(), sealed.shortCode(), NOW.plus(Duration.ofHours(2)),
                crypto)).isInstanceOfSatisfying(PairingException.class, e -> {
                    assertThat(e.code()).isEqualTo(PairingException.Code.EXPIRED);
                    assertThat(e.getMessage()).contains("expired").contains("new invite");
                });
    }

    @Test
    void passphraseInvite_rightPassphraseDerivesGroup_wrongOneDetected() throws Exception {
        byte[] salt = entropy.bytes(16);
        Secret fromPassphrase = GroupKeys.secretFromPassphrase(crypto, "correct horse".toCharArray(), salt,
                Argon2Params.FLOOR);
        GroupKeys keys = GroupKeys.derive(crypto, fromPassphrase);
        Invite invite = new Invite(List.of(new Invite.RelayPin("r:1", relayKey)), keys.groupId(),
                new Invite.GroupSecretSource.Passphrase(salt, Argon2Params.FLOOR), NOW.plusSeconds(60));
        InviteCodec.Sealed sealed = InviteCodec.seal(invite, crypto, entropy, Argon2Params.FLOOR);

        Invite opened = InviteCodec.open(sealed.envelope(), sealed.shortCode(), NOW, crypto);
        Invite.GroupSecretSource.Passphrase source = (Invite.GroupSecretSource.Passphrase) opened.secret();
        assertThat(source.params()).isEqualTo(Argon2Params.FLOOR);
        GroupKeys joined = GroupKeys.derive(crypto,
                GroupKeys.secretFromPassphrase(crypto, "correct horse".toCharArray(), source.salt(), source.params()));
        assertThat(joined.groupId()).isEqualTo(opened.groupId());
        GroupKeys wrong = GroupKeys.derive(crypto,
                GroupKeys.secretFromPassphrase(crypto, "wrong horse".toCharArray(), source.salt(), source.params()));
        assertThat(wrong.groupId()).isNotEqualTo(opened.groupId());
    }

    @Test
    void argon2Params_belowFloorOrAboveCeiling_rejected() {
        assertCode(() -> new Argon2Params(8 * 1024, 3, 1).requireAcceptable(),
                PairingException.Code.WEAK_OR_EXCESSIVE_PARAMETERS);
        assertCode(() -> new Argon2Params(4 * 1024 * 1024, 3, 1).requireAcceptable(),
                PairingException.Code.WEAK_OR_EXCESSIVE_PARAMETERS);
        assertThat(Argon2Params.DEFAULT).isEqualTo(new Argon2Params(65536, 3, 1));
    }

    @Test
    void open_randomAndTruncatedBytes_onlyCheckedExceptions() throws Exception {
        SeededEntropy fuzz = new SeededEntropy(99);
        for (int i = 0; i < 2000; i++) {
            byte[] junk = fuzz.bytes((int) fuzz.nextLong(200));
            if (junk.length > 4 && i % 2 == 0) {
                junk[0] = 'Z';
                junk[1] = 'K';
                junk[2] = 'I';
                junk[3] = 'V';
            }
            assertThatThrownBy(() -> InviteCodec.open(junk, "0000-0000-0000-0000", NOW, crypto))
                    .isInstanceOf(PairingException.class);
        }
        assertThatThrownBy(() -> InviteCodec.openText("zerok-invite-1:@@@", "0000-0000-0000-0000", NOW, crypto))
                .isInstanceOf(PairingException.class);
        assertThatThrownBy(() -> InviteCodec.openText("hello", "0000-0000-0000-0000", NOW, crypto))
                .isInstanceOf(PairingException.class);
    }

    private static void assertCode(ThrowingCallable call, PairingException.Code code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(PairingException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    private static KeyExchange crypto() {
        try {
            return new BouncyCastleKeyExchangeProvider().open(ProviderConfig.EMPTY);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
