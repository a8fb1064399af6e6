package dev.zerok.client.folder;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.eclipse.jgit.ignore.IgnoreNode;

/**
 * Which paths of a synced folder are left out of sync: the folder's {@value #FILE_NAME} files,
 * read with git's ignore syntax (gitignore(5)) by JGit's {@link IgnoreNode}, plus built-in rules.
 *
 * <h2>Syntax</h2>
 * Everything gitignore(5) supports: {@code #} comments, blank lines, {@code !negation},
 * directory-only patterns ({@code build/}), anchored patterns ({@code /build},
 * {@code doc/*.txt}), {@code *}, {@code ?}, {@code [a-z]} and {@code **}. Matching is
 * case-sensitive. A line JGit cannot parse as a pattern is skipped (JGit logs it through SLF4J)
 * rather than failing the load, as git does.
 *
 * <h2>Nested files</h2>
 * A {@value #FILE_NAME} in a subdirectory applies to paths below that directory, with its patterns
 * relative to it, and takes precedence over the files above it; within one file the last matching
 * line wins. As in git, once a directory is ignored everything below it is ignored, and no
 * negation can bring back a path inside it ({@code dir/} then {@code !dir/keep} keeps
 * {@code dir/keep} ignored; write {@code dir/*} then {@code !dir/keep} instead). Ignore files
 * inside ignored directories are not read.
 *
 * <h2>Built-in rules</h2>
 * They hold whatever the ignore files say:
 * <ul>
 *   <li>zerok's own temporary files are ignored: any name that starts with {@code .} and ends
 *       with {@value #TEMPORARY_SUFFIX};</li>
 *   <li>{@value #FILE_NAME} files themselves are never ignored by a pattern that names them: they
 *       are synced, so every device of the folder applies the same rules (unlike Syncthing's
 *       {@code .stignore}, which stays local). A {@value #FILE_NAME} inside an ignored
 *       directory is still ignored with that directory.</li>
 * </ul>
 *
 * <p>Instances are immutable after {@link #load(Path)} and safe to share between threads. A
 * change to an ignore file on disk is not seen until {@link #reload()}.
 */
public final class IgnoreRules {

    /** Name of the ignore file, in the folder's root or any directory below it. */
    public static final String FILE_NAME = ".zerokignore";

    /** Suffix of zerok's temporary files (written as {@code .NAME.zerok-part}, then renamed). */
    public static final String TEMPORARY_SUFFIX = ".zerok-part";

    /** Largest ignore file {@link #load(Path)} reads, in bytes (1 MiB). */
    public static final long MAX_FILE_SIZE_BYTES = 1L << 20;

    private static final IgnoreRules NONE = new IgnoreRules(Optional.empty(), Map.of());

    private final Optional<Path> root;
    /** Directory relative to the root ("" for the root itself, no trailing '/') to its rules. */
    private final Map<String, IgnoreNode> nodes;

    private IgnoreRules(Optional<Path> root, Map<String, IgnoreNode> nodes) {
        this.root = root;
        this.nodes = nodes;
    }

    /**
     * Reads the {@value #FILE_NAME} of {@code root} and of every directory below it that is not
     * itself ignored. Symbolic links are not followed.
     *
     * @param root the synced folder; must be a directory
     * @return the rules, including the built-ins
     * @throws NoSuchFileException if {@code root} does not exist
     * @throws IOException if {@code root} is not a directory, an ignore file is larger than
     *     {@link #MAX_FILE_SIZE_BYTES} (the message names the file), or reading fails
     */
    public static IgnoreRules load(Path root) throws IOException {
        Path absoluteRoot = root.toAbsolutePath().normalize();
        if (!Files.isDirectory(absoluteRoot)) {
            if (!Files.exists(absoluteRoot, LinkOption.NOFOLLOW_LINKS)) {
                throw new NoSuchFileException(absoluteRoot.toString(), null, "the folder to sync does not exist");
            }
            throw new IOException("cannot read ignore rules: " + absoluteRoot + " is not a directory");
        }
        Map<String, IgnoreNode> nodes = new TreeMap<>();
        // The rules found so far decide which directories to descend into: the walk is pre-order,
        // so a directory's ancestors' ignore files are read before it is tested.
        IgnoreRules partial = new IgnoreRules(Optional.of(absoluteRoot), nodes);
        Files.walkFileTree(absoluteRoot, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                String relative = relativize(absoluteRoot, dir);
                if (!relative.isEmpty() && partial.ignored(relative, true)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Path file = dir.resolve(FILE_NAME);
                if (Files.isRegularFile(file)) {
                    nodes.put(relative, parse(file));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                // A directory deleted or unreadable while walking holds no rules that can apply.
                if (file.equals(absoluteRoot)) {
                    throw e;
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return new IgnoreRules(Optional.of(absoluteRoot), Map.copyOf(nodes));
    }

    /** Only the built-in rules; {@link #reload()} of it reads nothing. */
    public static IgnoreRules none() {
        return NONE;
    }

    /**
     * Reads the ignore files again from the root these rules were loaded from.
     *
     * @return new rules, or {@code this} for {@link #none()}
     * @throws IOException as {@link #load(Path)}
     */
    public IgnoreRules reload() throws IOException {
        return root.isPresent() ? load(root.get()) : this;
    }

    /**
     * Whether {@code relativePath} is left out of sync.
     *
     * @param relativePath path relative to the root, segments separated by {@code '/'}, without a
     *     leading or trailing {@code '/'}, e.g. {@code "a/b/c.txt"}
     * @param isDirectory whether the path names a directory (directory-only patterns such as
     *     {@code build/} match only then)
     * @return true if a built-in rule, or the ignore files, ignore the path or one of its parent
     *     directories
     * @throws IllegalArgumentException if {@code relativePath} is empty, absolute, or has an empty,
     *     {@code .} or {@code ..} segment
     */
    public boolean ignored(String relativePath, boolean isDirectory) {
        String[] segments = relativePath.split("/", -1);
        for (String segment : segments) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException(
                        "not a '/'-separated path relative to the folder root: \"" + relativePath + "\"");
            }
        }
        int end = 0;
        for (int i = 0; i < segments.length - 1; i++) {
            end += segments[i].length();
            if (matches(relativePath.substring(0, end), segments[i], true)) {
                return true;
            }
            end++;
        }
        return matches(relativePath, segments[segments.length - 1], isDirectory);
    }

    /** Whether the path itself (not its parents) is ignored. */
    private boolean matches(String path, String name, boolean isDirectory) {
        if (name.startsWith(".") && name.endsWith(TEMPORARY_SUFFIX)) {
            return true;
        }
        if (name.equals(FILE_NAME) && !isDirectory) {
            return false;
        }
        // The nearest ignore file with a matching rule decides, as in git.
        int slash = path.lastIndexOf('/');
        while (true) {
            String dir = slash < 0 ? "" : path.substring(0, slash);
            IgnoreNode node = nodes.get(dir);
            if (node != null) {
                Boolean result = node.checkIgnored(slash < 0 ? path : path.substring(slash + 1), isDirectory);
                if (result != null) {
                    return result;
                }
            }
            if (slash < 0) {
                return false;
            }
            slash = dir.lastIndexOf('/');
        }
    }

    private static IgnoreNode parse(Path file) throws IOException {
        long sizeBytes = Files.size(file);
        if (sizeBytes > MAX_FILE_SIZE_BYTES) {
            throw new IOException("ignore file " + file + " is " + sizeBytes + " bytes, larger than the "
                    + MAX_FILE_SIZE_BYTES + " bytes zerok reads; shorten it (use directory patterns or **)");
        }
        // Read at most one byte more than the limit: the file may grow between size() and here.
        byte[] content;
        try (var in = Files.newInputStream(file)) {
            content = in.readNBytes((int) MAX_FILE_SIZE_BYTES + 1);
        }
        if (content.length > MAX_FILE_SIZE_BYTES) {
            throw new IOException("ignore file " + file + " is larger than the " + MAX_FILE_SIZE_BYTES
                    + " bytes zerok reads; shorten it (use directory patterns or **)");
        }
        IgnoreNode node = new IgnoreNode();
        node.parse(file.toString(), new ByteArrayInputStream(content));
        return node;
    }

    static String relativize(Path root, Path path) {
        Path relative = root.relativize(path);
        StringBuilder sb = new StringBuilder();
        for (Path segment : relative) {
            if (!sb.isEmpty()) {
                sb.append('/');
            }
            sb.append(segment);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "IgnoreRules[" + root.map(Path::toString).orElse("none") + ", files in " + nodes.keySet() + "]";
    }
}
