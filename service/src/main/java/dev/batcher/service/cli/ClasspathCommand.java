package dev.batcher.service.cli;

import dev.batcher.client.BatcherClient;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/**
 * {@code batcher classpath}: the Java client's class path (the client jar and its runtime
 * dependencies, nothing of the daemon or the command line), for {@code javac -cp} and
 * {@code java -cp} in a user's own project.
 */
@Command(name = "classpath", mixinStandardHelpOptions = true,
        description = {"Print the Java client's class path: the batcher-client jar and its runtime dependencies, separated",
                "by the platform's path separator, for javac -cp and java -cp in your own project. (With Maven, depend",
                "on dev.batcher:batcher-client:0.1.0-SNAPSHOT after mvn install instead; see docs/api.md.)"})
final class ClasspathCommand implements Callable<Integer> {
    /** Written by the client's build (maven-dependency-plugin list): one dependency per line. */
    static final String DEPENDENCIES = "/dev/batcher/client/runtime-dependencies.txt";

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** A runtime dependency of the client. */
    record Dependency(String groupId, String artifactId, String classifier, String version) {
        String jarName() {
            return artifactId + "-" + version + (classifier == null ? "" : "-" + classifier) + ".jar";
        }
    }

    @Override
    public Integer call() throws IOException {
        new PrintWriter(spec.commandLine().getOut(), true).println(String.join(File.pathSeparator, classpath()));
        return 0;
    }

    /**
     * Returns the client's class path, found among this JVM's class path entries (bin/batcher runs
     * with every jar of the build, the client's among them).
     *
     * @throws IllegalStateException if an entry is missing; the message names it
     */
    static List<String> classpath() throws IOException {
        List<Path> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!e.isEmpty()) {
                entries.add(Path.of(e).toAbsolutePath().normalize());
            }
        }
        Set<String> out = new LinkedHashSet<>();
        out.add(location(BatcherClient.class).toString());
        List<String> missing = new ArrayList<>();
        for (Dependency d : dependencies()) {
            Path found = find(entries, d);
            if (found == null) {
                missing.add(d.jarName());
            } else {
                out.add(found.toString());
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("classpath: " + missing + " (expected: on this JVM's class path, as bin/batcher"
                    + " runs it after its build)");
        }
        return List.copyOf(out);
    }

    static List<Dependency> dependencies() throws IOException {
        List<Dependency> all = new ArrayList<>();
        try (InputStream in = BatcherClient.class.getResourceAsStream(DEPENDENCIES)) {
            if (in == null) {
                throw new IllegalStateException("classpath: " + DEPENDENCIES + " (expected: in the batcher-client jar,"
                        + " written by its build)");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null;) {
                String coordinates = line.strip().split("\\s+")[0];
                String[] p = coordinates.split(":");
                if (p.length == 5 && p[2].equals("jar")) {
                    all.add(new Dependency(p[0], p[1], null, p[3]));
                } else if (p.length == 6 && p[2].equals("jar")) {
                    all.add(new Dependency(p[0], p[1], p[3], p[4]));
                }
            }
        }
        return all;
    }

    /**
     * Finds a dependency among the class path entries: its jar by name, or, for a module of this
     * build run from its classes directory (tests, IDEs), the {@code target/classes} of the module
     * whose pom declares it.
     */
    private static Path find(List<Path> entries, Dependency d) throws IOException {
        for (Path e : entries) {
            if (e.getFileName() != null && e.getFileName().toString().equals(d.jarName())) {
                return e;
            }
        }
        for (Path e : entries) {
            Path module = e.getParent() == null ? null : e.getParent().getParent();
            if (Files.isDirectory(e) && e.endsWith(Path.of("target", "classes")) && module != null
                    && Files.isRegularFile(module.resolve("pom.xml"))) {
                // The module's own artifactId: the first one after its <parent> block.
                String pom = Files.readString(module.resolve("pom.xml"));
                int from = pom.indexOf("<artifactId>", Math.max(pom.indexOf("</parent>"), 0));
                int to = pom.indexOf("</artifactId>", from);
                if (from >= 0 && to > from && pom.substring(from + "<artifactId>".length(), to).strip().equals(d.artifactId())) {
                    return e;
                }
            }
        }
        return null;
    }

    private static Path location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath().normalize();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("the location of " + c.getName() + ": " + e.getMessage(), e);
        }
    }
}
