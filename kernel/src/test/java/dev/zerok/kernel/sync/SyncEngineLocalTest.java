package dev.zerok.kernel.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.kernel.sync.SyncEngine.Action;
import dev.zerok.kernel.sync.SyncEngine.Input;
import dev.zerok.kernel.sync.SyncEngine.Local;
import dev.zerok.kernel.wire.Message;
import dev.zerok.ports.clientstate.OutboxEntry;
import dev.zerok.ports.clientstate.VersionVector;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.RelayId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The engine itself, with no runner: its store calls are answered by hand, late, with other
 * inputs in between, as an asynchronous driver would. One call is outstanding at a time, what
 * arrives meanwhile is batched into the next call, and the status waits for the local work.
 */
class SyncEngineLocalTest {
    private static final Instant T0 = World.T0;
    private final World world = new World(11);
    private final RelayId relay = new RelayId(world.entropy.bytes(32));
    private final DeviceId self = new DeviceId(world.entropy.bytes(32));

    private SyncEngine started() throws SyncException {
        SyncEngine e = new SyncEngine(SyncConfig.defaults(self, List.of(relay)), world.keys, World.CRYPTO, world.entropy);
        e.handle(new Input.Start(), T0);
        assertThat(e.drainLocal()).containsExactly(new Local.LoadState(List.of(relay)));
        e.handle(new Input.StateLoaded(VersionVector.EMPTY, Map.of(relay, Cursor.ZERO)), T0);
        return e;
    }

    /** Through Welcome with the relay's head at {@code head} (above 0: a pull is due). */
    private long connect(SyncEngine e, long head) {
        long c = ((Action.Connect) e.drainActions().get(0)).connection();
        e.handle(new Input.TransportConnected(relay, c), T0);
        e.handle(new Input.HandshakeCompleted(relay, c, new byte[32]), T0);
        e.drainActions(); // Hello
        e.handle(new Input.Received(relay, c, new Message.Welcome(1, new Cursor(head), new Cursor(1), 2_097_152, 604_800)), T0);
        return c;
    }

    private static List<Message> sent(List<Action> actions) {
        return actions.stream().filter(Action.Send.class::isInstance).map(a -> ((Action.Send) a).message()).toList();
    }

    @Test
    void welcome_nothingToPull_notSyncedUntilTheOutboxReadIsAnswered() throws Exception {
        SyncEngine e = started();
        connect(e, 0);
        assertThat(e.drainLocal()).singleElement().isInstanceOf(Local.ReadOutbox.class);
        assertThat(e.status().kind()).as("status while the outbox read is outstanding").isNotEqualTo(SyncStatus.Kind.SYNCED);
        assertThat(e.pollEvents()).noneMatch(new SyncEvent.StatusChanged(SyncStatus.of(SyncStatus.Kind.SYNCED))::equals);

        e.handle(new Input.OutboxRead(List.of()), T0);
        assertThat(e.status().kind()).isEqualTo(SyncStatus.Kind.SYNCED);
    }

    @Test
    void welcome_withPushesQueued_noPullUntilTheOutboxReadIsAnswered_thenPushesBeforeThePull() throws Exception {
        SyncEngine e = started();
        long c = connect(e, 3);
        Local.ReadOutbox read = (Local.ReadOutbox) e.drainLocal().get(0);
        assertThat(read.relay()).isEqualTo(relay);
        assertThat(sent(e.drainActions())).as("the first pull follows the pushes the read finds").isEmpty();

        OutboxEntry waiting = new OutboxEntry(new BlobId(world.entropy.bytes(16)), new byte[100], T0, java.time.Duration.ofDays(1));
        e.handle(new Input.OutboxRead(List.of(waiting)), T0);

        List<Message> out = sent(e.drainActions());
        assertThat(out).hasSize(2);
        assertThat(out.get(0)).isInstanceOf(Message.Push.class);
        assertThat(out.get(1)).isInstanceOf(Message.Pull.class);
        assertThat(e.status().kind()).isEqualTo(SyncStatus.Kind.PENDING);
        assertThat(c).isPositive();
    }

    @Test
    void pushAcks_arrivingWhileAnAcknowledgeIsOutstanding_areRecordedTogetherInTheNextCall() throws Exception {
        SyncEngine e = started();
        long c = connect(e, 3);
        e.drainLocal();
        List<OutboxEntry> entries = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            entries.add(new OutboxEntry(new BlobId(world.entropy.bytes(16)), new byte[100], T0, java.time.Duration.ofDays(1)));
        }
        e.handle(new Input.OutboxRead(entries), T0);
        e.drainActions();

        e.handle(new Input.Received(relay, c, new Message.PushAck(entries.get(0).blob(), new Cursor(1))), T0);
        Local.Acknowledge first = (Local.Acknowledge) e.drainLocal().get(0);
        assertThat(first.acknowledgements()).hasSize(1);
        for (int i = 1; i < 5; i++) {
            e.handle(new Input.Received(relay, c, new Message.PushAck(entries.get(i).blob(), new Cursor(i + 1))), T0);
            assertThat(e.drainLocal()).as("nothing new while the first write is outstanding").isEmpty();
        }
        assertThat(e.pollEvents()).noneMatch(SyncEvent.Acknowledged.class::isInstance);

        e.handle(new Input.Completed(), T0);
        Local.Acknowledge second = (Local.Acknowledge) e.drainLocal().get(0);
        assertThat(second.acknowledgements()).extracting(a -> a.blob())
                .containsExactly(entries.get(1).blob(), entries.get(2).blob(), entries.get(3).blob(), entries.get(4).blob());
        assertThat(e.pollEvents()).filteredOn(SyncEvent.Acknowledged.class::isInstance).hasSize(1);
    }

    @Test
    void pushes_requestedWhileAWriteIsOutstanding_shareOneEnqueueWithConsecutiveSequences() throws Exception {
        SyncEngine e = started();
        e.handle(new Input.Push(1, List.of(new SyncEngine.Outgoing(SyncPayload.Kind.DATA, new byte[] {1}))), T0);
        Local.Enqueue first = (Local.Enqueue) e.drainLocal().get(0);
        e.handle(new Input.Push(2, List.of(new SyncEngine.Outgoing(SyncPayload.Kind.DATA, new byte[] {2}))), T0);
        e.handle(new Input.Push(3, List.of(new SyncEngine.Outgoing(SyncPayload.Kind.DATA, new byte[] {3}),
                new SyncEngine.Outgoing(SyncPayload.Kind.DATA, new byte[] {4}))), T0);
        assertThat(e.drainLocal()).isEmpty();

        e.handle(new Input.Completed(), T0);
        List<Local> next = e.drainLocal();
        assertThat(next.get(0)).isEqualTo(new Local.PushQueued(1, List.of(first.entries().get(0).blob())));
        Local.Enqueue second = (Local.Enqueue) next.get(1);
        assertThat(second.entries()).hasSize(3);
        assertThat(first.vector().get(self)).isEqualTo(1);
        assertThat(second.vector().get(self)).isEqualTo(4);
        assertThat(e.versionVector().get(self)).as("committed only when the write is answered").isEqualTo(1);

        e.handle(new Input.StoreFailed(dev.zerok.ports.clientstate.ClientStateException.Code.IO), T0);
        assertThat(e.drainLocal()).extracting(l -> ((Local.PushRefused) l).request()).containsExactly(2L, 3L);
        assertThat(e.versionVector().get(self)).as("a failed write moves no sequence").isEqualTo(1);
    }
}
