package dev.zerok.client;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * One-line descriptions of I/O failures for the user. {@link FileSystemException}s such as
 * {@link NoSuchFileException} carry only the path as their message, so printing
 * {@code e.getMessage()} gives {@code cannot read x: /home/u/x} and drops what went wrong; this says
 * {@code no such file: /home/u/x}. Paths are passed through {@link SafeText#printable(String)}.
 * Pure; thread-safe.
 */
public final class IoMessages {
    private IoMessages() {}

    /**
     * What failed and on which file: {@code permission denied: PATH}, {@code no such file: PATH},
     * {@code file exists: PATH}, {@code not a directory: PATH}, {@code directory not empty: PATH};
     * another {@link FileSystemException} as {@code PATH: REASON} (and {@code -> OTHER} when it names
     * a second file); any other exception as its message, or its class name if it has none.
     */
    public static String describe(IOException e) {
        if (e instanceof FileSystemException fs) {
            String what = switch (fs) {
                case AccessDeniedException a -> "permission denied";
                case NoSuchFileException n -> "no such file";
                case FileAlreadyExistsException x -> "file exists";
                case NotDirectoryException d -> "not a directory";
                case DirectoryNotEmptyException d -> "directory not empty";
                default -> null;
            };
            String file = fs.getFile() == null ? "" : SafeText.printable(fs.getFile());
            String other = fs.getOtherFile() == null ? "" : " -> " + SafeText.printable(fs.getOtherFile());
            String reason = fs.getReason() == null ? "" : SafeText.printable(fs.getReason());
            if (what != null) {
                return what + ": " + file + other + (reason.isEmpty() ? "" : " (" + reason + ")");
            }
            if (!file.isEmpty()) {
                return file + other + ": " + (reason.isEmpty() ? e.getClass().getSimpleName() : reason);
            }
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName()
                : SafeText.printable(message.replace('\n', ' ').replace('\r', ' '));
    }
}
