package dev.batcher.materializers.onda;

import dev.batcher.materializers.onda.OndaFixture.Ann;
import dev.batcher.materializers.storage.DatasetLocation;
import dev.batcher.materializers.storage.Storage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Arrow Java's own channel readers need {@code --add-opens=java.base/java.nio=ALL-UNNAMED} on JDK 17+;
 * this test JVM has it (for the test writers), so here a child JVM started with no flag at all (as
 * {@code bin/batcher} and the worker processes are) reads a dataset of every sample type, its tables in
 * both IPC formats, and must print the digest this JVM computes. Also on JDK 25 where installed.
 */
@Timeout(180)
class OndaNoFlagsTest {
    static final Path TEMURIN_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");

    @TempDir
    Path tmp;

    @Test
    void read_childJvmWithoutAddOpens_sameDigest() throws Exception {
        Path root = tmp.resolve("ds");
        OndaDatasetTest.everyType(root, false, 0.25, 1.5);
        List<Ann> anns = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            anns.add(new Ann(OndaDatasetTest.REC_A, new UUID(3, i), i * 1000L, (i + 1) * 1000L, "N" + (i % 3 + 1)));
        }
        OndaFixture.writeAnnotations(root.resolve("a.onda.annotations.arrow"), OndaFixture.annotationColumns(anns), true);
        String expected;
        try (Storage storage = new Storage(null, tmp.resolve("cache"), 64L << 20)) {
            expected = OndaDigestMain.digest(OndaDataset.open(DatasetLocation.of(root), storage));
        }
        assertEquals(expected, child(Path.of(System.getProperty("java.home"), "bin", "java"), root, "child-17"));
        if (Files.isExecutable(TEMURIN_25)) {
            assertEquals(expected, child(TEMURIN_25, root, "child-25"));
        }
    }

    private String child(Path java, Path root, String name) throws Exception {
        List<String> command = List.of(java.toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                OndaDigestMain.class.getName(), root.toString(), tmp.resolve(name + "-cache").toString());
        Path log = tmp.resolve(name + ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                fail("child JVM did not finish within 120 s: " + command);
            }
        } finally {
            p.destroyForcibly();
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "child JVM " + java + " failed: " + String.join("\n", lines));
        for (String line : lines) {
            assertTrue(!line.contains("add-opens"), "child JVM asks for a flag: " + line);
            if (line.startsWith("digest ")) {
                return line.substring("digest ".length());
            }
        }
        return fail("child output has no digest: " + lines);
    }
}
