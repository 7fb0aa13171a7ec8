package dev.batcher.service.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.materializers.dataset.DatasetIndexer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worked example of the explicit {@code specs} source in docs/api.md: its JSON, on the
 * recording of dataset-format.md's example (the {@code doc_example} fixture), through the two peek
 * commands it shows, prints what the page says.
 */
@Timeout(60)
class SpecsSourceDocTest {
    private static final String MARKER = "<!-- api.md specs example: SpecsSourceDocTest runs it -->";

    @TempDir
    Path tmp;

    private static Path repo() {
        Path dir = Path.of("").toAbsolutePath();
        return Files.exists(dir.resolve("docs")) ? dir : dir.getParent();
    }

    /** Returns the fenced blocks after the marker, in order: the JSON, the commands, the output. */
    private static List<String> blocks() throws IOException {
        String doc = Files.readString(repo().resolve("docs/api.md"));
        int at = doc.indexOf(MARKER);
        assertTrue(at >= 0, "docs/api.md has the marker " + MARKER);
        List<String> blocks = new ArrayList<>();
        int from = at;
        for (int i = 0; i < 3; i++) {
            int open = doc.indexOf("```", from);
            int body = doc.indexOf('\n', open) + 1;
            int close = doc.indexOf("\n```", body);
            blocks.add(doc.substring(body, close));
            from = close + 4;
        }
        return blocks;
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    @Test
    void apiMdSpecsExample_peekPrintsWhatThePageShows() throws Exception {
        List<String> blocks = blocks();
        Path dataset = tmp.resolve("my_dataset");
        copy(repo().resolve("test-data/fixtures/doc_example"), dataset);
        DatasetIndexer.index(dataset);
        Path json = tmp.resolve("my_batches.json");
        Files.writeString(json, blocks.get(0));

        List<String> commands = blocks.get(1).lines().filter(l -> l.startsWith("bin/batcher ")).toList();
        assertEquals(2, commands.size(), blocks.get(1));
        List<String> outputs = new ArrayList<>();
        for (String command : commands) {
            String[] args = command.substring("bin/batcher ".length()).replace("my_batches.json", json.toString())
                    .replace("my_dataset", dataset.toString()).split(" +");
            CommandLineTest.Run r = CommandLineTest.run(args);
            assertEquals(0, r.code(), command + "\n" + r.out() + r.err());
            outputs.add(r.out());
        }
        List<String> shown = outputs.get(0).lines().map(String::stripTrailing).toList();
        for (String line : blocks.get(2).lines().toList()) {
            assertTrue(shown.contains(line.stripTrailing()), "peek prints the documented line\n" + line + "\nin\n" + outputs.get(0));
        }
        assertTrue(outputs.get(0).contains("labels   {N2=1, W=1}"), outputs.get(0));
        assertTrue(outputs.get(1).contains("x        float32 [1, 2, 7680]"), outputs.get(1));
        assertTrue(outputs.get(1).contains("labels   {(covered earlier)=1, N2=1}"), "y = [[[-1, 2]]]: " + outputs.get(1));
        assertTrue(outputs.get(1).contains("next     seed=0,batch=2"), outputs.get(1));
        CommandLineTest.Run end = CommandLineTest.run("peek", dataset.toString(), "--source-json", json.toString(), "--state",
                "seed=0,batch=2");
        assertTrue(end.out().startsWith("end of data at seed=0,batch=2"), end.out());
    }
}
