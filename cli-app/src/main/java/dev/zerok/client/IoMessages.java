package dev.zerok.client;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;

/**
 * Messages for I/O failures that keep their cause and name the file: the JDK's file exceptions
 * carry only the path as their message ({@code /a/b}), which reads as nothing. Stateless.
 */
public final class IoMessages {
    private IoMessages() {}

    /** E.g. "permission denied: /a/b", "file exists: /a/b", "no space left on device: /a/b". */
    public static String describe(IOException e) {
        String what = switch (e) {
            case AccessDeniedException x -> "permission denied";
            case NoSuchFileException x -> "no such file or directory";
            case FileAlreadyExistsException x -> "file exists";
            case DirectoryNotEmptyException x -> "directory not empty";
            case NotDirectoryException x -> "not a directory";
            case NotLinkException x -> "not a symbolic link";
            default -> null;
        };
        if (e instanceof FileSystemException fs) {
            String reason = what != null ? what : fs.getReason() != null ? fs.getReason() : e.getClass().getSimpleName();
            String file = fs.getFile() == null ? "" : ": " + fs.getFile()
                    + (fs.getOtherFile() == null ? "" : " -> " + fs.getOtherFile());
            return reason + file;
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
