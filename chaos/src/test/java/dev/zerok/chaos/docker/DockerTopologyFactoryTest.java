package dev.zerok.chaos.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.chaos.topology.NotRunException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerTopologyFactoryTest {
    @TempDir Path dir;

    @Test
    void unavailableReason_matchesTheEngineProbe() {
        DockerTopologyFactory factory = new DockerTopologyFactory();

        String expected = DockerTopologyFactory.engineAvailable() ? DockerTopologyFactory.NOT_BUILT
                : DockerTopologyFactory.NO_ENGINE;

        assertThat(factory.unavailableReason()).isEqualTo(expected);
        assertThat(factory.kind()).isEqualTo("docker");
    }

    @Test
    void open_whereItCannotRun_isNotRunWithTheReason() {
        DockerTopologyFactory factory = new DockerTopologyFactory();

        assertThatThrownBy(() -> factory.open(1, dir)).isInstanceOf(NotRunException.class)
                .hasMessage(factory.unavailableReason());
    }
}
