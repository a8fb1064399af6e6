package dev.zerok.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one command prints on stdout: human-readable lines, or with {@code --json} exactly one JSON
 * object (keys in insertion order; values are strings, numbers, booleans, lists and maps of
 * those). Also carries the exit code a command finishes with when it produced output and still
 * did not fully succeed (3, 4, 5). Not thread-safe.
 */
final class Report {
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final Map<String, Object> fields = new LinkedHashMap<>();
    private final List<String> lines = new ArrayList<>();
    private int exitCode = ExitCodes.OK;
    private String warning;

    /** Adds a JSON field. */
    Report put(String key, Object value) {
        fields.put(key, value);
        return this;
    }

    /** Adds a human-readable line. */
    Report line(String text) {
        lines.add(text);
        return this;
    }

    /** Finishes with {@code code} and a one-line reason printed on stderr as {@code zerok: <reason>}. */
    Report exit(int code, String reason) {
        this.exitCode = code;
        this.warning = reason;
        return this;
    }

    int exitCode() {
        return exitCode;
    }

    /** Prints the report (and the warning, if any, on {@code err}). */
    void print(PrintStream out, PrintStream err, boolean json) {
        if (json) {
            Map<String, Object> all = new LinkedHashMap<>(fields);
            all.put("exit_code", exitCode);
            if (warning != null) {
                all.put("warning", ZerokMain.oneLine(warning));
            }
            out.println(toJson(all));
        } else {
            lines.forEach(out::println);
        }
        out.flush();
        if (warning != null) {
            err.println("zerok: " + ZerokMain.oneLine(warning));
            err.flush();
        }
    }

    /** The JSON object a failed command prints with {@code --json}. */
    static String failureJson(int exitCode, String reason) {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("error", reason);
        all.put("exit_code", exitCode);
        return toJson(all);
    }

    static String toJson(Map<String, Object> object) {
        StringWriter text = new StringWriter();
        try (JsonGenerator out = JSON.createGenerator(text)) {
            write(out, object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    private static void write(JsonGenerator out, Object value) throws IOException {
        switch (value) {
            case null -> out.writeNull();
            case String s -> out.writeString(s);
            case Integer i -> out.writeNumber(i);
            case Long l -> out.writeNumber(l);
            case Boolean b -> out.writeBoolean(b);
            case Map<?, ?> map -> {
                out.writeStartObject();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    out.writeFieldName(String.valueOf(e.getKey()));
                    write(out, e.getValue());
                }
                out.writeEndObject();
            }
            case List<?> list -> {
                out.writeStartArray();
                for (Object item : list) {
                    write(out, item);
                }
                out.writeEndArray();
            }
            default -> out.writeString(String.valueOf(value));
        }
    }
}
