package dev.zerok.client.folder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IgnoreRulesTest {

    /** One root ignore file with a line per gitignore feature the table below exercises. */
    private static final String ROOT_RULES = """
            # a comment line, and a blank line next

            *.log
            !keep.log
            build/
            /out
            doc/*.txt
            **/cache
            a/**/z
            tmp?
            [ab]x.bin
            \\#hash
            logs/*
            !logs/keep
            vendor/
            !vendor/keep.txt
            !.zerok-part-negated.zerok-part
            .*
            """;

    @TempDir Path root;

    @ParameterizedTest(name = "{0} (dir={1}) -> {2}: {3}")
    @CsvSource(delimiter = '|', textBlock = """
            x.log                  | false | true  | glob
            sub/deep/x.log         | false | true  | a pattern without '/' matches at any depth
            keep.log               | false | false | negation re-includes
            sub/keep.log           | false | false | negation at depth
            build                  | true  | true  | directory-only pattern, directory
            build                  | false | false | directory-only pattern does not match a file
            build/x.txt            | false | true  | everything below an ignored directory
            build/a/b/c            | true  | true  | everything below an ignored directory, deep
            sub/build/x.txt        | false | true  | directory-only pattern at depth
            out                    | false | true  | anchored pattern at the root
            sub/out                | false | false | anchored pattern not at depth
            doc/a.txt              | false | true  | pattern with a '/' is relative to the ignore file
            other/doc/a.txt        | false | false | pattern with a '/' does not float
            doc/sub/a.txt          | false | false | '*' does not cross '/'
            cache                  | true  | true  | leading '**/' matches at the root
            x/y/cache              | true  | true  | leading '**/' matches at depth
            x/y/cache/f            | false | true  | below a '**/' directory
            a/z                    | false | true  | '/**/' matches zero directories
            a/b/c/z                | false | true  | '/**/' matches several directories
            b/a/z                  | false | false | 'a/**/z' is anchored
            tmp1                   | false | true  | '?' matches one character
            tmp12                  | false | false | '?' matches exactly one character
            ax.bin                 | false | true  | character class
            cx.bin                 | false | false | character class excludes
            '#hash'                | false | true  | escaped '#' is a pattern, not a comment
            logs/other             | false | true  | 'logs/*' ignores the entries
            logs/keep              | false | false | 'logs/*' then '!logs/keep' re-includes
            logs                   | true  | false | 'logs/*' does not ignore the directory
            vendor/keep.txt        | false | true  | no negation inside an ignored directory
            readme.md              | false | false | nothing matches
            .hidden                | false | true  | '.*' matches dot files
            .zerokignore           | false | false | built-in: the ignore file syncs even when a pattern matches it
            sub/.zerokignore       | false | false | built-in: nested ignore files sync too
            build/.zerokignore     | false | true  | an ignore file inside an ignored directory is ignored with it
            .x.zerok-part          | false | true  | built-in: zerok's temporary files
            sub/.y.txt.zerok-part  | false | true  | built-in: temporary files at depth
            .zerok-part-negated.zerok-part | false | true | built-in: negation cannot re-include a temporary file
            """)
    void ignored_rootFile_followsGitignore(String path, boolean isDirectory, boolean expected, String why)
            throws IOException {
        Files.writeString(root.resolve(IgnoreRules.FILE_NAME), ROOT_RULES);

        assertThat(IgnoreRules.load(root).ignored(path, isDirectory)).as(why).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            keep.tmp               | true  | root rule
            sub/x.tmp              | true  | root rule applies below a nested file
            sub/keep.tmp           | false | nested negation overrides the root rule below it
            sub/deeper/keep.tmp    | false | nested negation applies at depth
            sub/local              | true  | nested anchored pattern is relative to its directory
            local                  | false | nested rules do not apply above their directory
            sub/deeper/local       | false | nested anchored pattern does not float
            sub/a.bak              | true  | nested rule
            a.bak                  | false | nested rule does not apply above
            other/a.bak            | false | nested rule does not apply beside
            sub/deeper/a.bak       | true  | nested rule at depth
            sub/deeper/a.md        | true  | deeper nested file
            sub/a.md               | false | deeper nested file does not apply above
            """)
    void ignored_nestedFiles_applyBelowTheirDirectory(String path, boolean expected, String why) throws IOException {
        Files.writeString(root.resolve(IgnoreRules.FILE_NAME), "*.tmp\n");
        Files.createDirectories(root.resolve("sub/deeper"));
        Files.createDirectories(root.resolve("other"));
        Files.writeString(root.resolve("sub").resolve(IgnoreRules.FILE_NAME), "!keep.tmp\n/local\n*.bak\n");
        Files.writeString(root.resolve("sub/deeper").resolve(IgnoreRules.FILE_NAME), "*.md\n");

        assertThat(IgnoreRules.load(root).ignored(path, false)).as(why).isEqualTo(expected);
    }

    @Test
    void load_ignoreFileInsideIgnoredDirectory_isNotRead() throws IOException {
        Files.writeString(root.resolve(IgnoreRules.FILE_NAME), "build/\n");
        Files.createDirectories(root.resolve("build"));
        // Unreadable as a pattern file would not matter; oversized would fail the load if it were read.
        Files.write(root.resolve("build").resolve(IgnoreRules.FILE_NAME), new byte[(int) IgnoreRules.MAX_FILE_SIZE_BYTES + 1]);

        assertThat(IgnoreRules.load(root).ignored("build/x", false)).isTrue();
    }

    @Test
    void none_onlyBuiltIns() throws IOException {
        IgnoreRules none = IgnoreRules.none();

        assertThat(none.ignored(".a.zerok-part", false)).isTrue();
        assertThat(none.ignored("a.zerok-part", false)).as("no leading dot: a user's file").isFalse();
        assertThat(none.ignored("x.log", false)).isFalse();
        assertThat(none.ignored(".zerokignore", false)).isFalse();
        assertThat(none.reload()).isSameAs(none);
    }

    @Test
    void load_noIgnoreFile_onlyBuiltIns() throws IOException {
        IgnoreRules rules = IgnoreRules.load(root);

        assertThat(rules.ignored("x.log", false)).isFalse();
        assertThat(rules.ignored("d/.x.zerok-part", false)).isTrue();
    }

    @Test
    void reload_seesChangedFile() throws IOException {
        IgnoreRules before = IgnoreRules.load(root);
        Files.writeString(root.resolve(IgnoreRules.FILE_NAME), "*.log\n");

        assertThat(before.ignored("x.log", false)).isFalse();
        assertThat(before.reload().ignored("x.log", false)).isTrue();
    }

    @Test
    void load_fileOfExactlyTheLimit_isRead() throws IOException {
        byte[] content = new byte[(int) IgnoreRules.MAX_FILE_SIZE_BYTES];
        Arrays.fill(content, (byte) '\n');
        byte[] rule = "*.log\n".getBytes();
        System.arraycopy(rule, 0, content, 0, rule.length);
        Files.write(root.resolve(IgnoreRules.FILE_NAME), content);

        assertThat(IgnoreRules.load(root).ignored("x.log", false)).isTrue();
    }

    @Test
    void load_fileOverTheLimit_failsNamingTheFile() throws IOException {
        Files.createDirectories(root.resolve("sub"));
        Path big = root.resolve("sub").resolve(IgnoreRules.FILE_NAME);
        byte[] content = new byte[(int) IgnoreRules.MAX_FILE_SIZE_BYTES + 1];
        Arrays.fill(content, (byte) '\n');
        Files.write(big, content);

        assertThatThrownBy(() -> IgnoreRules.load(root))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(big.toString())
                .hasMessageContaining("larger than");
    }

    @Test
    void load_missingRoot_fails() {
        assertThatThrownBy(() -> IgnoreRules.load(root.resolve("absent"))).isInstanceOf(IOException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/a", "a/", "a//b", "./a", "a/../b"})
    void ignored_notARelativePath_throws(String path) {
        assertThatThrownBy(() -> IgnoreRules.none().ignored(path, false)).isInstanceOf(IllegalArgumentException.class);
    }
}
