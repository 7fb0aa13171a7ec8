package dev.batcher.materializers.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs {@link KernelDigestMain} in child JVMs (Temurin 25; this JDK with narrower vector widths) and
 * checks that every path, JDK and width produces the digest this JVM computes.
 */
class CrossJvmDigestTest {
    private static final Path TEMURIN_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
    private static final long CHILD_TIMEOUT_SECONDS = 120;

    private static String expected;

    @TempDir
    Path temp;

    @BeforeAll
    static void computeHere() {
        expected = KernelDigestMain.digest(Kernels.scalar());
    }

    @Test
    void digest_vectorPathInThisJvm_equalsScalarPath() {
        assertEquals(expected, KernelDigestMain.digest(Kernels.vector()));
    }

    @Test
    void digest_temurin25ChildJvm_equalsThisJvmDigest() throws Exception {
        assumeTrue(Files.isExecutable(TEMURIN_25), "no Temurin 25 at " + TEMURIN_25);
        Map<String, String> child = runChild(TEMURIN_25, List.of());
        assertTrue(child.get("info").startsWith("25"), "child JDK: " + child.get("info"));
        assertEquals(expected, child.get("vector"), "Temurin 25 vector path vs JDK " + Runtime.version());
        assertEquals(expected, child.get("scalar"), "Temurin 25 scalar path vs JDK " + Runtime.version());
    }

    @ParameterizedTest
    @ValueSource(ints = {128, 256})
    void digest_narrowerVectorWidthInChildJvm_equalsThisJvmDigest(int bits) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Map<String, String> child = runChild(java, List.of("-D" + Kernels.BITS_PROPERTY + "=" + bits));
        assertTrue(child.get("info").contains(bits + " bits"), "child kernels: " + child.get("info"));
        assertEquals(expected, child.get("vector"), bits + "-bit vector path");
    }

    private Map<String, String> runChild(Path java, List<String> options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.add("--add-modules");
        command.add("jdk.incubator.vector");
        command.addAll(options);
        command.add("-cp");
        command.add(location(Kernels.class) + File.pathSeparator + location(KernelDigestMain.class));
        command.add(KernelDigestMain.class.getName());
        Path log = temp.resolve("child.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!process.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                fail("child JVM did not finish within " + CHILD_TIMEOUT_SECONDS + " s: " + command);
            }
        } finally {
            process.destroyForcibly();
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), "child JVM failed: " + String.join("\n", lines));
        Map<String, String> result = new HashMap<>();
        for (String line : lines) {
            int space = line.indexOf(' ');
            if (space > 0) {
                result.put(line.substring(0, space), line.substring(space + 1));
            }
        }
        assertTrue(result.containsKey("vector") && result.containsKey("scalar") && result.containsKey("info"),
                "child output: " + lines);
        return result;
    }

    private static String location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
