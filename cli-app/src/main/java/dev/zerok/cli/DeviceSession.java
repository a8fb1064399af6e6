package dev.zerok.cli;

import dev.zerok.client.Device;
import dev.zerok.client.DeviceException;
import dev.zerok.client.RelayAddress;
import dev.zerok.kernel.sync.SyncStatus;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.crypto.Secret;
import java.time.Duration;
import java.util.List;

/**
 * Opens the {@link Device} of a paired home for one command, and maps its failures to exit codes:
 * {@code ALL_RELAYS_FAILED} is {@link ExitCodes#NO_RELAY}, {@code QUOTA_EXCEEDED} is
 * {@link ExitCodes#QUOTA}, {@code INCOMPLETE} and
 * {@code VERIFY_FAILED} are {@link ExitCodes#INCOMPLETE}, everything else {@link ExitCodes#FAILURE}.
 */
final class DeviceSession {
    /** How long closing waits for pushes still in flight after the command's own wait. */
    static final Duration CLOSE_FLUSH = Duration.ofSeconds(1);

    /** What to do about a quota refusal; appended to the device's one-line description of it. */
    static final String QUOTA_REMEDY = "; nothing was stored there and the data waits in the outbox: "
            + "space returns as the group's older blobs expire on that relay (limits.ttl.max), "
            + "or ask its operator to raise store.quota.group.bytes";

    private DeviceSession() {}

    /**
     * The home's profile and its open device.
     *
     * @param profile the home's name and relays
     * @param device the open device
     * @param identity the device's key pair, wiped by {@link #close(Duration)}
     */
    record Opened(DeviceHome.Profile profile, Device device, KeyPair identity) {
        /** Closes the device (flushing for up to {@code flush}) and wipes the identity's private key. */
        boolean close(Duration flush) {
            try {
                return device.close(flush);
            } finally {
                identity.privateKey().destroy();
            }
        }
    }

    /**
     * @throws CliFailure if the home is not initialized or not paired, has no relay, or the device
     *     cannot open its state
     */
    static Opened open(ZerokMain root) throws CliFailure {
        DeviceHome home = root.home();
        DeviceHome.Profile profile = home.readProfile();
        KeyPair identity = home.readIdentity(root.x25519());
        Secret groupSecret = home.readGroupSecret().orElseThrow(() -> CliFailure.of(
                "this device is not in a sync group yet: 'zerok pair --create' on your first device, "
                        + "'zerok pair --join INVITE' on the others"));
        if (profile.relays().isEmpty()) {
            identity.privateKey().destroy();
            groupSecret.destroy();
            throw CliFailure.of("no relay configured: 'zerok relays add HOST:PORT --key HEX'");
        }
        List<RelayAddress> relays = profile.relays().stream()
                .map(r -> new RelayAddress(r.address(), r.staticPublicKey())).toList();
        try (groupSecret) {
            return new Opened(profile, Device.open(home.dir(), identity, groupSecret, relays), identity);
        } catch (DeviceException e) {
            identity.privateKey().destroy();
            throw failure(e);
        }
    }

    /**
     * Waits until the device is synced.
     *
     * @return the outcome: synced, timed out (with the last status), no relay reachable, or a
     *     relay's group quota is full
     * @throws CliFailure for a local failure (the state store)
     */
    static Wait awaitSynced(Device device, Duration timeout) throws CliFailure {
        return awaitSynced(device, timeout, NetworkProgress.NONE);
    }

    /** As {@link #awaitSynced(Device, Duration)}, drawing {@code progress} while it waits. */
    static Wait awaitSynced(Device device, Duration timeout, NetworkProgress progress) throws CliFailure {
        try (NetworkProgress.Running drawing = progress.start(device.client())) {
            return new Wait(Wait.Outcome.SYNCED, device.awaitSynced(timeout), "");
        } catch (DeviceException e) {
            return switch (e.code()) {
                case TIMEOUT -> new Wait(Wait.Outcome.TIMED_OUT, device.status(), e.getMessage());
                case ALL_RELAYS_FAILED -> new Wait(Wait.Outcome.NO_RELAY, device.status(), e.getMessage());
                case QUOTA_EXCEEDED -> new Wait(Wait.Outcome.QUOTA_FULL, device.status(), e.getMessage() + QUOTA_REMEDY);
                default -> throw failure(e);
            };
        }
    }

    /**
     * How a wait for SYNCED ended.
     *
     * @param outcome synced, timed out, no relay reachable, or a relay's group quota is full
     * @param status the status when it ended
     * @param reason the device's one-line reason when not synced; empty otherwise
     */
    record Wait(Outcome outcome, SyncStatus status, String reason) {
        enum Outcome { SYNCED, TIMED_OUT, NO_RELAY, QUOTA_FULL }
    }

    /** A device failure as the CLI reports it. */
    static CliFailure failure(DeviceException e) {
        int code = switch (e.code()) {
            case ALL_RELAYS_FAILED -> ExitCodes.NO_RELAY;
            case QUOTA_EXCEEDED -> ExitCodes.QUOTA;
            case INCOMPLETE, VERIFY_FAILED -> ExitCodes.INCOMPLETE;
            default -> ExitCodes.FAILURE;
        };
        return new CliFailure(code, e.getMessage() + (e.code() == DeviceException.Code.QUOTA_EXCEEDED ? QUOTA_REMEDY : ""), e);
    }

    /** The status as one word plus its reason, for text output. */
    static String describe(SyncStatus status) {
        String kind = status.kind().name().toLowerCase(java.util.Locale.ROOT);
        return status.reason().map(reason -> kind + " (" + reason + ")").orElse(kind);
    }
}
