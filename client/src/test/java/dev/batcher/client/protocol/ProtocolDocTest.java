package dev.batcher.client.protocol;

import dev.batcher.api.BatchShapes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batcher.api.BatchState;
import dev.batcher.api.MaterializeOptions;
import dev.batcher.api.BatchSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code docs/protocol.md} true to the code: its tables of message types, Java classes, ops,
 * error codes and header fields are parsed and compared with the constants and with the headers the
 * message types actually write. A client written in another language from the doc alone speaks
 * what this code speaks.
 */
class ProtocolDocTest {
    private static final String DOC = doc();

    private static String doc() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("docs/protocol.md"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("docs/protocol.md: not found above " + Path.of("").toAbsolutePath());
        }
        try {
            return Files.readString(dir.resolve("docs/protocol.md"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The rows of the first table whose header line starts with {@code header}, cells without backticks. */
    private static List<List<String>> table(String header) {
        int at = DOC.indexOf("\n" + header);
        assertTrue(at >= 0, "docs/protocol.md has a table starting " + header);
        List<List<String>> rows = new ArrayList<>();
        String[] lines = DOC.substring(at + 1).split("\n");
        for (int i = 2; i < lines.length && lines[i].startsWith("|"); i++) {
            List<String> cells = new ArrayList<>();
            for (String c : lines[i].substring(1, lines[i].length() - 1).split("\\|")) {
                cells.add(c.trim().replace("`", ""));
            }
            rows.add(cells);
        }
        return rows;
    }

    private static List<String> column(String header, int column) {
        return table(header).stream().map(r -> r.get(column)).toList();
    }

    private static Set<String> fields(JsonNode header) {
        Set<String> names = new TreeSet<>();
        header.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void title_versionIsTheProtocolVersion() {
        Matcher m = Pattern.compile("^# The batcher wire protocol \\(version (\\d+)\\)").matcher(DOC);
        assertTrue(m.find());
        assertEquals(Hello.PROTOCOL_VERSION, Integer.parseInt(m.group(1)));
        assertTrue(DOC.contains("| `protocol` | integer | yes | protocol version; `" + Hello.PROTOCOL_VERSION + "` |"));
    }

    @Test
    void messageTypes_codesAndNamesMatchMessageType() {
        List<List<String>> rows = table("| code | type | direction |");
        List<String> doc = rows.stream().map(r -> r.get(0) + " " + r.get(1)).toList();
        List<String> code = Arrays.stream(MessageType.values()).map(t -> String.format("0x%02X %s", t.code(), t)).toList();
        assertEquals(code, doc);
    }

    @Test
    void messageTypes_javaClassesExistAndCoverEveryType() throws Exception {
        List<List<String>> rows = table("| type | Java |");
        assertEquals(Arrays.stream(MessageType.values()).map(Enum::name).toList(), rows.stream().map(r -> r.get(0)).toList());
        for (List<String> r : rows) {
            Class.forName("dev.batcher.client.protocol." + r.get(1));
        }
    }

    @Test
    void ops_matchOpAndTheirResponses() {
        List<String> ops = Arrays.stream(Op.values()).map(Op::wireName).toList();
        assertEquals(ops, column("| op | other fields | answer |", 0));
        assertEquals(ops, column("| op | `RESPONSE` header |", 0));
        assertEquals(fields(new Response.Created(true).toHeader()) + "", "[created]");
        assertEquals(fields(new Response.Started(true).toHeader()) + "", "[started]");
        assertEquals(fields(new Response.End(BatchState.initial(1)).toHeader()) + "", "[end, last]");
        assertEquals(fields(new Response.Listing(List.of()).toHeader()) + "", "[batchers]");
        for (List<String> r : table("| op | `RESPONSE` header |")) {
            for (String f : List.of("created", "started", "end", "last", "status", "batchers")) {
                if (r.get(1).startsWith(f + ":")) {
                    assertTrue(List.of("create:created", "start:started", "take:end", "status:status", "list:batchers")
                            .contains(r.get(0) + ":" + f), r.toString());
                }
            }
        }
    }

    @Test
    void errorCodes_matchErrorFrames() {
        assertEquals(ErrorFrames.CODES, column("| code | meaning |", 0));
        Set<String> requestCodes = new LinkedHashSet<>(column("| code | when | context |", 0));
        assertTrue(ErrorFrames.CODES.containsAll(requestCodes), requestCodes.toString());
    }

    @Test
    void helloAndWelcome_fieldsAreWhatTheCodeWrites() {
        Set<String> hello = fields(Hello.worker("w", "t", 2).withHost("boot:1").withHeld(List.of("s3://b/k")).toFrame().header());
        assertEquals(hello, new TreeSet<>(column("| field | type | required | meaning |", 0)));
        Set<String> welcome = fields(new Welcome("v", Duration.ofSeconds(5), 1 << 20).toFrame(0).header());
        assertEquals(welcome, new TreeSet<>(column("| field | type | meaning |", 0)));
    }

    @Test
    void batchAndJob_fieldsAreWhatTheCodeWrites() {
        BatchShapes t = new BatchShapes(new int[] {1, 1, 1}, new int[] {1, 1, 1});
        BatchState s = BatchState.initial(1);
        Set<String> batch = fields(new BatchMessage(s.next(), s, t).toHeader());
        assertEquals(batch, new TreeSet<>(tableAfter("A `BATCH` frame (Java: `BatchMessage`)", "| field | type | meaning |")));
        BatchSpec spec = new BatchSpec(List.of(new dev.batcher.api.ItemSpec("r", "r.h5", "/s", 0, 1,
                dev.batcher.api.ChannelSelection.all(), "/l", 0, 1, 0)));
        Set<String> job = fields(new JobMessage("b", "/d", MaterializeOptions.defaults(), spec).toHeader());
        assertEquals(job, new TreeSet<>(tableAfter("The daemon sends a worker `JOB` frames", "| field | type | meaning |")));
        assertEquals(fields(new JobResult(t).toHeader()) + "", "[byteOrder, x, y]");
    }

    /** The first column of the first table starting {@code header} after the text {@code anchor}. */
    private static List<String> tableAfter(String anchor, String header) {
        int from = DOC.indexOf(anchor);
        assertTrue(from >= 0, anchor);
        int at = DOC.indexOf("\n" + header, from);
        List<String> names = new ArrayList<>();
        String[] lines = DOC.substring(at + 1).split("\n");
        for (int i = 2; i < lines.length && lines[i].startsWith("|"); i++) {
            names.add(lines[i].substring(1).split("\\|")[0].trim().replace("`", ""));
        }
        return names;
    }
}
