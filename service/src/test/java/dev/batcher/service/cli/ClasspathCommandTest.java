package dev.batcher.service.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.client.BatcherClient;
import dev.batcher.service.BatcherDaemon;
import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code batcher classpath} prints the Java client's class path: a program of one's own compiles
 * against it alone and, run in its own JVM with it, talks to a real daemon.
 */
@Timeout(120)
class ClasspathCommandTest {
    @TempDir
    Path tmp;

    @Test
    void classpath_compilesAndRunsAProgramOfOnesOwnAgainstADaemon() throws Exception {
        CommandLineTest.Run r = CommandLineTest.run("classpath");
        assertEquals(0, r.code(), r.err());
        String classpath = r.out().strip();
        List<String> entries = List.of(classpath.split(File.pathSeparator));
        for (String e : entries) {
            assertTrue(Files.exists(Path.of(e)), "an existing entry: " + e);
        }
        assertEquals(BatcherClient.class.getProtectionDomain().getCodeSource().getLocation().getPath().replaceAll("/$", ""),
                entries.get(0).replaceAll("/$", ""), "the client first");
        assertTrue(entries.stream().anyMatch(e -> e.endsWith("netty-buffer-4.2.20.Final.jar")), classpath);
        assertTrue(entries.stream().anyMatch(e -> e.matches(".*jackson-databind-[0-9.]+\\.jar")), classpath);
        for (String notTheClients : new String[] {"picocli", "xchart", "slf4j-simple", "batcher-service", "/service/target",
                "batcher-materializers", "/materializers/target", "awssdk", "jhdf", "ojalgo"}) {
            assertTrue(entries.stream().noneMatch(e -> e.contains(notTheClients)), notTheClients + " in " + classpath);
        }

        Path src = Files.createDirectories(tmp.resolve("src/com/example"));
        Files.writeString(src.resolve("ListBatchers.java"), String.join("\n",
                "package com.example;",
                "import dev.batcher.client.BatcherClient;",
                "import java.net.InetSocketAddress;",
                "public class ListBatchers {",
                "    public static void main(String[] args) {",
                "        try (BatcherClient c = BatcherClient.connect(new InetSocketAddress(\"127.0.0.1\", Integer.parseInt(args[0])))) {",
                "            System.out.println(\"batchers: \" + c.list().size());",
                "        }",
                "    }",
                "}", ""));
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, "-cp", classpath, "-d", classes.toString(),
                src.resolve("ListBatchers.java").toString()), "javac -cp $(bin/batcher classpath)");

        BatcherDaemon.Options o = BatcherDaemon.Options.defaults()
                .withBind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).withManagerSlots(1).withMetricsPort(null);
        try (BatcherDaemon d = BatcherDaemon.start(o)) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", classes + File.pathSeparator + classpath, "com.example.ListBatchers",
                    Integer.toString(d.address().getPort())).redirectErrorStream(true).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the program ends");
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("batchers: 0"), out);
        }
    }

    /** The Maven coordinates getting-started.md gives are those the build installs. */
    @Test
    void gettingStarted_mavenCoordinates_areTheClientModules() throws Exception {
        Path dir = Path.of("").toAbsolutePath();
        Path repo = Files.exists(dir.resolve("docs")) ? dir : dir.getParent();
        String doc = Files.readString(repo.resolve("docs/getting-started.md"));
        int at = doc.indexOf("```xml\n<dependency>");
        assertTrue(at >= 0, "getting-started.md has the dependency snippet");
        String snippet = doc.substring(at, doc.indexOf("</dependency>", at));
        String pom = Files.readString(repo.resolve("client/pom.xml"));
        String parent = pom.substring(pom.indexOf("<parent>"), pom.indexOf("</parent>"));
        String own = pom.substring(pom.indexOf("</parent>"));
        assertTrue(snippet.contains(tag("groupId", parent)), snippet);
        assertTrue(snippet.contains(tag("version", parent)), snippet);
        assertTrue(snippet.contains(tag("artifactId", own)), snippet);
        assertEquals("<artifactId>batcher-client</artifactId>", tag("artifactId", own));
    }

    private static String tag(String name, String xml) {
        int from = xml.indexOf("<" + name + ">");
        return xml.substring(from, xml.indexOf("</" + name + ">", from) + name.length() + 3);
    }
}
