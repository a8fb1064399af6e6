package dev.zerok.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IoMessagesTest {
    @TempDir
    Path dir;

    @Test
    void describe_pathOnlyExceptions_sayWhatAndWhich() {
        assertThat(IoMessages.describe(new AccessDeniedException("/home/u/x"))).isEqualTo("permission denied: /home/u/x");
        assertThat(IoMessages.describe(new NoSuchFileException("/home/u/x"))).isEqualTo("no such file: /home/u/x");
        assertThat(IoMessages.describe(new FileAlreadyExistsException("/home/u/x"))).isEqualTo("file exists: /home/u/x");
        assertThat(IoMessages.describe(new NotDirectoryException("/home/u/x"))).isEqualTo("not a directory: /home/u/x");
        assertThat(IoMessages.describe(new DirectoryNotEmptyException("/d"))).isEqualTo("directory not empty: /d");
    }

    @Test
    void describe_realMissingFile_namesTheFile() {
        Path missing = dir.resolve("missing.txt");
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> Files.readAllBytes(missing));

        assertThat(IoMessages.describe(e)).isEqualTo("no such file: " + missing);
    }

    @Test
    void describe_otherFileAndReason_kept() {
        assertThat(IoMessages.describe(new AccessDeniedException("/a", "/b", "read-only file system")))
                .isEqualTo("permission denied: /a -> /b (read-only file system)");
        assertThat(IoMessages.describe(new FileSystemException("/a", null, "No space left on device")))
                .isEqualTo("/a: No space left on device");
    }

    @Test
    void describe_plainIOException_messageOrClassName_andControlsReplaced() {
        assertThat(IoMessages.describe(new IOException("disk on fire"))).isEqualTo("disk on fire");
        assertThat(IoMessages.describe(new IOException())).isEqualTo("IOException");
        assertThat(IoMessages.describe(new NoSuchFileException("/x\u001b[2J"))).isEqualTo("no such file: /x?[2J");
    }

    @Test
    void deviceException_withFileSystemCause_pathOnlyEndingRewritten() {
        NoSuchFileException cause = new NoSuchFileException("/tree/a.txt");

        DeviceException e = new DeviceException(DeviceException.Code.IO, "cannot read /tree: " + cause.getMessage(), cause);

        assertThat(e.getMessage()).isEqualTo("cannot read /tree: no such file: /tree/a.txt");
        assertThat(new DeviceException(DeviceException.Code.IO, "other text", cause).getMessage()).isEqualTo("other text");
    }
}
