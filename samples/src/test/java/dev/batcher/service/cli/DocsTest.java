package dev.batcher.service.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.batcher.client.BatcherStatus;
import dev.batcher.client.Status;
import dev.batcher.samples.docs.Docs;
import dev.batcher.samples.docs.Docs.Block;
import dev.batcher.samples.docs.Docs.Command;
import dev.batcher.samples.sleep.TrainerArgs;
import dev.batcher.service.metrics.PrometheusFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The documentation cannot rot silently: every {@code bin/batcher} command in README.md, docs/*.md
 * and docs/deploy (shell blocks, inline code, systemd {@code ExecStart=}, Kubernetes {@code
 * command}/{@code args}, the Dockerfile) parses with the real command line, the {@code train} and
 * {@code quickstart} plugins of this module included, the trainer's own options too; the deploy
 * YAML parses and its pieces fit together; the copies of deploy files in the docs equal the files;
 * every Java block in the docs is a snippet that a test compiles and runs; the metric and status
 * tables list what the code emits. Lives in the CLI's package for {@link Main#commandLine()}.
 */
class DocsTest {
    /**
     * README.md's main-job command is being renamed from {@code demo} (which does not exist) to
     * {@code quickstart} on another branch; until that lands, this one line is tolerated. Delete the
     * entry when README.md says {@code bin/batcher quickstart}.
     */
    static final Set<String> PENDING_ELSEWHERE = Set.of();

    static final Pattern SHELL_EXPANSION = Pattern.compile("\\$(\\{[^}]*\\}|\\([^)]*\\)|[A-Za-z_][A-Za-z0-9_]*|[0-9])");

    /**
     * Returns null if the command line parses, else picocli's message. Inline code in prose may name
     * a subcommand alone ({@code `bin/batcher index`}): unknown names and options fail it, missing
     * arguments do not.
     */
    static String check(List<String> args, boolean inline) {
        try {
            // systemd fills in a template unit's specifiers: %i is the instance (the daemon's HOST:PORT), %H the host.
            // A script's shell expansions ("$port", "${X:-y}", "$(hostname)") stand for values the docs cannot know.
            String[] words = args.stream().map(a -> a.replace("%i", "manager.example:7070").replace("%H", "worker-host"))
                    .map(a -> SHELL_EXPANSION.matcher(a).replaceAll("1")).toArray(String[]::new);
            ParseResult parsed = Main.commandLine().parseArgs(words);
            ParseResult sub = parsed.subcommand();
            if (sub != null && sub.commandSpec().name().equals("train") && !sub.unmatched().isEmpty()) {
                // train hands every option it does not know to the trainer: those must be the trainer's.
                try {
                    TrainerArgs.parse(sub.unmatched());
                } catch (ParameterException e) {
                    return "trainer options " + sub.unmatched() + ": " + e.getMessage();
                }
            }
            return null;
        } catch (CommandLine.MissingParameterException e) {
            return inline ? null : e.getMessage();
        } catch (ParameterException e) {
            return e.getMessage();
        }
    }

    static List<Path> checkedFiles() {
        List<Path> files = new ArrayList<>(Docs.markdownFiles());
        files.addAll(Docs.deployFiles());
        return files;
    }

    static List<String> failures(List<Command> commands) {
        List<String> failures = new ArrayList<>();
        for (Command c : commands) {
            String error = check(c.args(), c.inline());
            if (error != null && !PENDING_ELSEWHERE.contains(Docs.relative(c.file()) + ": " + c.text())) {
                failures.add(c.where() + ": " + c.text() + "\n    " + error);
            }
        }
        return failures;
    }

    @Test
    void everyBatcherCommandInTheDocs_parses() {
        List<Command> all = new ArrayList<>();
        Map<String, Integer> perFile = new TreeMap<>();
        for (Path f : checkedFiles()) {
            List<Command> commands = Docs.commands(f);
            all.addAll(commands);
            perFile.put(Docs.relative(f), commands.size());
        }
        List<String> failures = failures(all);
        assertTrue(failures.isEmpty(), failures.size() + " documented commands do not parse (fix the docs or the CLI):\n"
                + String.join("\n", failures));
        Set<String> subcommands = new TreeSet<>();
        all.forEach(c -> subcommands.add(c.args().isEmpty() ? "(none)" : c.args().get(0)));
        System.out.println("DocsTest: " + all.size() + " bin/batcher commands parse; per file " + perFile + "; subcommands "
                + subcommands);
        // The rule the docs teach: a daemon that other machines can reach requires a token.
        for (Command c : all) {
            List<String> a = c.args();
            boolean exposed = !a.isEmpty() && a.get(0).equals("serve") && a.stream().anyMatch(x -> x.startsWith("--bind")
                    && !x.endsWith("127.0.0.1") && !x.endsWith("localhost") && !x.equals("--bind"))
                    || a.contains("--bind") && !List.of("127.0.0.1", "localhost").contains(a.get(a.indexOf("--bind") + 1));
            if (exposed) {
                assertTrue(a.stream().anyMatch(x -> x.startsWith("--token-file")), c.where() + ": " + c.text()
                        + " binds beyond loopback without --token-file");
            }
        }
        for (String required : List.of("index", "peek", "serve", "worker", "status", "train", "generate")) {
            assertTrue(subcommands.contains(required), "the docs show no 'bin/batcher " + required + "' (or it was not found)");
        }
    }

    @Test
    void everyDeployFileThatRunsBatcher_yieldsItsCommands() {
        // Guards the extractor: a file that runs bin/batcher outside comments must yield at least one command.
        for (Path f : Docs.deployFiles()) {
            boolean runsIt = Docs.read(f).lines().map(String::strip)
                    .anyMatch(l -> !l.startsWith("#") && l.contains("bin/batcher"));
            if (runsIt) {
                assertTrue(!Docs.commands(f).isEmpty(), Docs.relative(f) + " mentions bin/batcher but no command was found in it");
            }
        }
        assertEquals(List.of("serve"), firstWords("docs/deploy/batcher.service"));
        assertEquals(List.of("worker"), firstWords("docs/deploy/batcher-worker@.service"));
        assertEquals(List.of("serve"), firstWords("docs/deploy/k8s/manager.yaml"));
        assertEquals(List.of("worker"), firstWords("docs/deploy/k8s/workers.yaml"));
        assertEquals(List.of("train"), firstWords("docs/deploy/k8s/train-job.yaml"));
        assertEquals(List.of("serve", "worker"), firstWords("docs/deploy/slurm/batcher.sbatch"));
    }

    static List<String> firstWords(String file) {
        return Docs.commands(Docs.root().resolve(file)).stream().map(c -> c.args().get(0)).toList();
    }

    @Test
    void unknownSubcommandsAndOptions_failNamingFileAndLine() {
        Path md = Docs.root().resolve("docs/example.md");
        String text = "# Example\n\nRun:\n\n```sh\nbin/batcher serve --local-workers 2 --no-such-option\n"
                + "BATCHER_TOKEN=x sudo -u batcher /opt/batcher/bin/batcher frobnicate && echo done\n"
                + "bin/batcher worker --manager h:7070 \\\n    --slots 2 > worker.log 2>&1 &\n```\n\n"
                + "Then `bin/batcher status --jsn` and `bin/batcher train --manager h:1 --dataset d --no-such-trainer-option`;\n"
                + "`bin/batcher index` names a subcommand in prose, which may leave out its arguments.\n";
        List<String> failures = failures(Docs.commands(md, text));
        assertEquals(4, failures.size(), String.join("\n", failures));
        assertTrue(failures.get(0).startsWith("docs/example.md:6: bin/batcher serve --local-workers 2 --no-such-option"),
                failures.get(0));
        assertTrue(failures.get(0).contains("Unknown option: '--no-such-option'"), failures.get(0));
        assertTrue(failures.get(1).startsWith("docs/example.md:7: bin/batcher frobnicate"), failures.get(1));
        assertTrue(failures.get(2).startsWith("docs/example.md:12: bin/batcher status --jsn"), failures.get(2));
        assertTrue(failures.get(3).contains("--no-such-trainer-option"), failures.get(3));
        // The worker line, continued and redirected, parses.
        assertTrue(Docs.commands(md, text).stream().anyMatch(c -> c.line() == 8
                && c.args().equals(List.of("worker", "--manager", "h:7070", "--slots", "2"))));

        Path unit = Docs.root().resolve("docs/deploy/x.service");
        List<String> unitFailures = failures(Docs.commands(unit,
                "[Service]\nExecStart=-/opt/batcher/bin/batcher worker --manager %i \\\n    --slot 4\n"));
        assertEquals(1, unitFailures.size(), unitFailures.toString());
        assertTrue(unitFailures.get(0).startsWith("docs/deploy/x.service:2: bin/batcher worker --manager %i --slot 4"),
                unitFailures.get(0));

        Path yaml = Docs.root().resolve("docs/deploy/k8s/x.yaml");
        List<String> yamlFailures = failures(Docs.commands(yaml, "kind: Pod\nspec:\n  containers:\n    - name: w\n"
                + "      command: [\"/opt/batcher/bin/batcher\"]\n      args:\n        - wroker\n"
                + "    - name: s\n      command: [\"sh\", \"-c\", \"exec bin/batcher serve --prot=1\"]\n"));
        assertEquals(2, yamlFailures.size(), yamlFailures.toString());
        assertTrue(yamlFailures.get(0).startsWith("docs/deploy/k8s/x.yaml:5: bin/batcher wroker"), yamlFailures.get(0));
        assertTrue(yamlFailures.get(1).startsWith("docs/deploy/k8s/x.yaml:9: bin/batcher serve --prot=1"), yamlFailures.get(1));
    }

    @Test
    void shellWords_quotesCommentsOperatorsAndRedirections() {
        assertEquals(List.of(List.of("a", "b c", "d\"e", "$(f 'g h')", "i")),
                Docs.shell("a 'b c' \"d\\\"e\" \"$(f 'g h')\" i # a comment"));
        assertEquals(List.of(List.of("x"), List.of("y", "z"), List.of("w")), Docs.shell("x && y z 2>&1 | w > out.txt &"));
        assertEquals(List.of("status", "--json"), Docs.batcherArgs(List.of("BATCHER_TOKEN=t", "bin/batcher", "status", "--json")));
        assertEquals(List.of("worker"), Docs.batcherArgs(List.of("sudo", "-u", "batcher", "/opt/batcher/bin/batcher", "worker")));
        assertNull(Docs.batcherArgs(List.of("sudo", "install", "-m", "755", "bin/batcher", "/opt/batcher/bin/batcher")));
    }

    /**
     * The deploy YAML parses, and Prometheus scrapes the metrics port. The Kubernetes manifests are
     * parsed strictly into the typed Kubernetes model, and checked to fit together, by the deploy
     * module's KubernetesManifestsTest.
     */
    @Test
    void deployYaml_parsesAndPrometheusScrapesTheMetricsPort() {
        Yaml yaml = new Yaml();
        int documents = 0;
        for (Path f : Docs.deployFiles()) {
            String name = f.getFileName().toString();
            if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                for (Object doc : yaml.loadAll(Docs.read(f))) {
                    assertTrue(doc instanceof Map, Docs.relative(f) + ": a document is not a mapping: " + doc);
                    documents++;
                }
            }
        }
        assertTrue(documents >= 10, "YAML documents in docs/deploy: " + documents);
        Map<?, ?> prometheus = yaml.load(Docs.read(Docs.root().resolve("docs/deploy/prometheus.yml")));
        for (Object job : (List<?>) prometheus.get("scrape_configs")) {
            for (Object config : (List<?>) ((Map<?, ?>) job).get("static_configs")) {
                for (Object target : (List<?>) ((Map<?, ?>) config).get("targets")) {
                    assertTrue(((String) target).endsWith(":7071"), "scrape the metrics port, 7070 + 1: " + target);
                }
            }
        }
    }

    @Test
    void deployFilesShownInTheDocs_equalTheFiles() {
        int copies = 0;
        for (Path md : Docs.markdownFiles()) {
            for (Block b : Docs.blocks(md)) {
                if (b.marker() != null && b.marker().startsWith("file:")) {
                    Path file = md.getParent().resolve(b.marker().substring("file:".length()).strip());
                    assertTrue(Files.isRegularFile(file), b.where() + ": " + b.marker() + ": no such file " + file);
                    assertEquals(Docs.read(file), b.text(), b.where() + ": this block must equal " + Docs.relative(file));
                    copies++;
                }
            }
        }
        assertTrue(copies >= 5, "expected the unit files, the manifests and the scrape config in operations.md: " + copies);
    }

    @Test
    void javaBlocksInTheDocs_areTestedSnippets() {
        List<Docs.Snippet> snippets = Docs.snippets(Docs.root().resolve("samples/src/test/java"));
        Map<String, Docs.Snippet> byText = new LinkedHashMap<>();
        for (Docs.Snippet s : snippets) {
            Docs.Snippet other = byText.put(Docs.normalize(s.text()), s);
            assertNull(other, s.where() + " repeats the snippet at " + (other == null ? "" : other.where()));
        }
        Set<String> shown = new LinkedHashSet<>();
        List<String> missing = new ArrayList<>();
        for (List<Block> blocks : Docs.blocksIn("java").values()) {
            for (Block b : blocks) {
                String text = Docs.normalize(b.text());
                shown.add(text);
                if (!byText.containsKey(text)) {
                    missing.add(b.where() + ": this ```java block is not a tested snippet; copy it into a test under "
                            + "samples/src/test/java between '// doc-snippet: NAME' and '// end-doc-snippet' lines, "
                            + "where it compiles and runs");
                }
            }
        }
        assertTrue(missing.isEmpty(), String.join("\n", missing));
        List<String> stale = new ArrayList<>();
        byText.forEach((text, s) -> {
            if (!shown.contains(text)) {
                stale.add(s.where() + ": no ```java block in the docs shows this snippet any more; update or remove it");
            }
        });
        assertTrue(stale.isEmpty(), String.join("\n", stale));
        assertTrue(shown.size() >= 7, "java blocks found: " + shown.size());
    }

    @Test
    void configJsonInTheDocs_isAcceptedByServe(@TempDir Path dir) throws Exception {
        int checked = 0;
        for (List<Block> blocks : Docs.blocksIn("json").values()) {
            for (Block b : blocks) {
                if (!b.text().contains("\"batchers\"")) {
                    continue;
                }
                Path config = Files.writeString(dir.resolve("config-" + b.line() + ".json"), b.text());
                CommandLine cl = Main.commandLine();
                cl.parseArgs("serve", "--config", config.toString());
                ServeCommand serve = (ServeCommand) cl.getSubcommands().get("serve").getCommand();
                try {
                    assertEquals(2, serve.options().batchers().size(), b.where());
                } catch (RuntimeException | IOException e) {
                    fail(b.where() + ": serve --config refuses this block: " + e, e);
                }
                checked++;
            }
        }
        assertEquals(1, checked, "the --config example of operations.md");
    }

    static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*)$");

    /** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
    static String anchor(String heading) {
        return heading.strip().toLowerCase(java.util.Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }

    static Set<String> anchors(Path md) {
        Set<String> out = new HashSet<>();
        boolean inBlock = false;
        for (String line : Docs.read(md).lines().toList()) {
            if (line.strip().startsWith("```")) {
                inBlock = !inBlock;
            }
            Matcher m = HEADING.matcher(line);
            if (!inBlock && m.matches()) {
                out.add(anchor(m.group(1)));
            }
        }
        return out;
    }

    @Test
    void relativeLinksInTheDocs_leadToFilesAndHeadings() {
        List<String> broken = new ArrayList<>();
        int links = 0;
        for (Path md : Docs.markdownFiles()) {
            List<String> lines = Docs.read(md).lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = LINK.matcher(lines.get(i));
                while (m.find()) {
                    String target = m.group(1);
                    if (target.matches("[a-z]+:.*")) {
                        continue; // https:, mailto:
                    }
                    links++;
                    String path = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
                    Path file = path.isEmpty() ? md : md.getParent().resolve(path).normalize();
                    if (!Files.exists(file)) {
                        broken.add(Docs.relative(md) + ":" + (i + 1) + ": " + target + ": no such file");
                    } else if (target.contains("#") && !anchors(file).contains(target.substring(target.indexOf('#') + 1))) {
                        broken.add(Docs.relative(md) + ":" + (i + 1) + ": " + target + ": no such heading in " + Docs.relative(file));
                    }
                }
            }
        }
        assertTrue(broken.isEmpty(), String.join("\n", broken));
        assertTrue(links > 10, "relative links checked: " + links);
    }

    static final Pattern METRIC_ROW = Pattern.compile("^\\| `(batcher_[a-z_]+)` \\| (\\w+) \\|");
    static final Pattern COLUMN_ROW = Pattern.compile("^\\| `([A-Z/-]+)` \\|");

    @Test
    void metricsAndStatusColumnsInOperations_areWhatTheCodePrints() {
        String doc = Docs.read(Docs.root().resolve("docs/operations.md"));
        Map<String, String> documented = new TreeMap<>();
        List<String> columns = new ArrayList<>();
        for (String line : doc.lines().toList()) {
            Matcher m = METRIC_ROW.matcher(line);
            if (m.find()) {
                documented.put(m.group(1), m.group(2));
            }
            Matcher c = COLUMN_ROW.matcher(line);
            if (c.find()) {
                columns.add(c.group(1));
            }
        }
        BatcherStatus s = new BatcherStatus("train", Status.RUNNING, null, "seed=1,batch=0", 0, 0, 0, 0, 3, 0, 0, 0, 1, 1, false,
                0, 0, 0, 0, 0, 0, 0);
        Map<String, String> emitted = new TreeMap<>();
        for (String line : PrometheusFormat.render(List.of(s)).lines().toList()) {
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ");
                emitted.put(parts[2], parts[3]);
            }
        }
        assertEquals(emitted, documented, "the metric table of docs/operations.md against PrometheusFormat");
        List<String> header = List.of(StatusCommand.table(List.of(s)).lines().findFirst().orElseThrow().trim().split("\\s+"));
        assertEquals(header, columns, "the column table of docs/operations.md against bin/batcher status");
    }
}
