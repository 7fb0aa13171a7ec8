package dev.batcher.samples.docs;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads the documentation the way a user runs it: finds README.md, docs/ and docs/deploy, the fenced
 * code blocks of the Markdown files, and every command line that runs {@code bin/batcher} (in shell
 * blocks and inline code, in systemd {@code ExecStart=} lines, in Kubernetes {@code command}/{@code
 * args}, in a Dockerfile's {@code RUN}, {@code ENTRYPOINT} and {@code CMD}), each with its file and
 * line. Also the Java snippets kept in test sources between {@code // doc-snippet} and {@code //
 * end-doc-snippet} lines.
 */
public final class Docs {
    private Docs() {
    }

    private static volatile Path root;

    /** Returns the project root: the first directory above {@code user.dir} with README.md and docs/. */
    public static Path root() {
        Path found = root;
        if (found == null) {
            Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
            for (Path d = dir; d != null; d = d.getParent()) {
                if (Files.isRegularFile(d.resolve("README.md")) && Files.isDirectory(d.resolve("docs"))) {
                    found = d;
                    break;
                }
            }
            if (found == null) {
                throw new IllegalStateException("README.md and docs/: not found above " + dir);
            }
            root = found;
        }
        return found;
    }

    /** Returns README.md and every Markdown file under docs/, sorted. */
    public static List<Path> markdownFiles() {
        List<Path> files = new ArrayList<>();
        files.add(root().resolve("README.md"));
        files.addAll(walk(root().resolve("docs")).stream().filter(p -> p.toString().endsWith(".md")).toList());
        return files;
    }

    /** Returns every regular file under docs/deploy, sorted. */
    public static List<Path> deployFiles() {
        return walk(root().resolve("docs").resolve("deploy"));
    }

    private static List<Path> walk(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Returns a file's text. */
    public static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Returns {@code file} relative to the project root, with forward slashes. */
    public static String relative(Path file) {
        Path p = file.toAbsolutePath();
        return (p.startsWith(root()) ? root().relativize(p) : p).toString().replace('\\', '/');
    }

    /** Collapses every run of whitespace to one space and trims: how snippets are compared. */
    public static String normalize(String text) {
        return text.strip().replaceAll("\\s+", " ");
    }

    // ---------------------------------------------------------------- Markdown

    /**
     * A fenced code block.
     *
     * @param file the Markdown file
     * @param line the 1-based line of the opening fence
     * @param language the info string's first word, lower case ("" if none)
     * @param text the content, with the fence's indentation removed, ending with a newline
     * @param marker the text of an HTML comment on the last non-blank line before the fence, or null
     */
    public record Block(Path file, int line, String language, String text, String marker) {
        /** Returns {@code file:line}. */
        public String where() {
            return relative(file) + ":" + line;
        }
    }

    private static final Pattern FENCE = Pattern.compile("^(\\s*)(```+|~~~+)\\s*([A-Za-z0-9_+.-]*).*$");
    private static final Pattern COMMENT = Pattern.compile("^\\s*<!--\\s*(.*?)\\s*-->\\s*$");

    /** Returns the fenced code blocks of a Markdown text, in order. */
    public static List<Block> blocks(Path file, String markdown) {
        List<Block> blocks = new ArrayList<>();
        String[] lines = markdown.split("\n", -1);
        String lastNonBlank = null;
        for (int i = 0; i < lines.length; i++) {
            Matcher open = FENCE.matcher(lines[i]);
            if (!open.matches()) {
                if (!lines[i].isBlank()) {
                    lastNonBlank = lines[i];
                }
                continue;
            }
            int indent = open.group(1).length();
            String fence = open.group(2);
            Matcher m = lastNonBlank == null ? null : COMMENT.matcher(lastNonBlank);
            String marker = m != null && m.matches() ? m.group(1) : null;
            StringBuilder text = new StringBuilder();
            int j = i + 1;
            for (; j < lines.length; j++) {
                String l = lines[j];
                if (l.strip().startsWith(fence.substring(0, 3)) && l.strip().replace(fence.substring(0, 1), "").isEmpty()) {
                    break;
                }
                int cut = 0;
                while (cut < indent && cut < l.length() && l.charAt(cut) == ' ') {
                    cut++;
                }
                text.append(l.substring(cut)).append('\n');
            }
            if (j == lines.length) {
                throw new IllegalStateException(relative(file) + ":" + (i + 1) + ": code block never closed");
            }
            blocks.add(new Block(file, i + 1, open.group(3).toLowerCase(java.util.Locale.ROOT), text.toString(), marker));
            lastNonBlank = lines[j];
            i = j;
        }
        return blocks;
    }

    /** Returns the fenced code blocks of a Markdown file. */
    public static List<Block> blocks(Path file) {
        return blocks(file, read(file));
    }

    // ---------------------------------------------------------------- commands

    /**
     * A command line that runs {@code bin/batcher}.
     *
     * @param file where it is written
     * @param line the 1-based line where it starts
     * @param args the arguments after {@code bin/batcher}
     * @param inline true for inline code in prose, such as {@code `bin/batcher index`}, which may name a
     *     subcommand without its required arguments
     */
    public record Command(Path file, int line, List<String> args, boolean inline) {
        /** A command in a block or file. */
        public Command(Path file, int line, List<String> args) {
            this(file, line, args, false);
        }

        /** Returns {@code file:line}. */
        public String where() {
            return relative(file) + ":" + line;
        }

        /** Returns the command as text, {@code bin/batcher ARGS}. */
        public String text() {
            return args.isEmpty() ? "bin/batcher" : "bin/batcher " + String.join(" ", args);
        }
    }

    /** Returns the {@code bin/batcher} commands of a Markdown file, a unit file, a manifest or a Dockerfile. */
    public static List<Command> commands(Path file) {
        return commands(file, read(file));
    }

    /** As {@link #commands(Path)}, for the given text of {@code file}. */
    public static List<Command> commands(Path file, String text) {
        String name = file.getFileName().toString();
        if (name.endsWith(".md")) {
            return markdownCommands(file, text);
        }
        return commands(kindOf(name), file, text, 0);
    }

    private static String kindOf(String name) {
        if (name.endsWith(".service") || name.endsWith(".ini")) {
            return "ini";
        }
        if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            return "yaml";
        }
        if (name.equals("Dockerfile") || name.endsWith(".dockerfile")) {
            return "dockerfile";
        }
        if (name.endsWith(".sh") || name.endsWith(".sbatch")) {
            return "sh";
        }
        return "";
    }

    private static List<Command> commands(String kind, Path file, String text, int lineOffset) {
        return switch (kind) {
            case "sh", "bash", "shell" -> shellTextCommands(file, text, lineOffset);
            case "ini", "systemd" -> systemdCommands(file, text, lineOffset);
            case "yaml", "yml" -> yamlCommands(file, text, lineOffset);
            case "dockerfile" -> dockerfileCommands(file, text, lineOffset);
            default -> List.of();
        };
    }

    private static final Pattern INLINE = Pattern.compile("`([^`\\n]+)`");

    private static List<Command> markdownCommands(Path file, String markdown) {
        List<Command> out = new ArrayList<>();
        List<Block> blocks = blocks(file, markdown);
        for (Block b : blocks) {
            out.addAll(commands(b.language(), file, b.text(), b.line()));
        }
        // Inline code outside the blocks: `bin/batcher status --json` in a sentence is a command too.
        String[] lines = markdown.split("\n", -1);
        boolean[] inBlock = new boolean[lines.length + 2];
        for (Block b : blocks) {
            int n = (int) b.text().chars().filter(c -> c == '\n').count();
            for (int l = b.line(); l <= b.line() + n + 1 && l < inBlock.length; l++) {
                inBlock[l] = true;
            }
        }
        for (int i = 0; i < lines.length; i++) {
            if (inBlock[i + 1]) {
                continue;
            }
            Matcher m = INLINE.matcher(lines[i]);
            while (m.find()) {
                if (!m.group(1).contains("bin/batcher")) {
                    continue;
                }
                for (List<String> words : shell(m.group(1))) {
                    List<String> args = batcherArgs(words);
                    if (args != null) {
                        out.add(new Command(file, i + 1, args, true));
                    }
                }
            }
        }
        out.sort(java.util.Comparator.comparingInt(Command::line));
        return out;
    }

    /** A line joined with the lines its trailing backslashes continue onto, and where it started. */
    private record Logical(int line, String text) {}

    private static List<Logical> logicalLines(String text) {
        List<Logical> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int start = i;
            StringBuilder b = new StringBuilder(lines[i]);
            while (b.length() > 0 && b.charAt(b.length() - 1) == '\\' && i + 1 < lines.length) {
                b.setLength(b.length() - 1);
                b.append(' ').append(lines[++i]);
            }
            out.add(new Logical(start + 1, b.toString()));
        }
        return out;
    }

    private static List<Command> shellTextCommands(Path file, String text, int lineOffset) {
        List<Command> out = new ArrayList<>();
        for (Logical l : logicalLines(text)) {
            for (List<String> words : shell(l.text())) {
                List<String> args = batcherArgs(words);
                if (args != null) {
                    out.add(new Command(file, lineOffset + l.line(), args));
                }
            }
        }
        return out;
    }

    private static final Pattern EXEC = Pattern.compile("^\\s*Exec(Start|StartPre|StartPost|Reload|Stop|StopPost)\\s*=\\s*(.*)$");

    private static List<Command> systemdCommands(Path file, String text, int lineOffset) {
        List<Command> out = new ArrayList<>();
        for (Logical l : logicalLines(text)) {
            Matcher m = EXEC.matcher(l.text());
            if (!m.matches()) {
                continue;
            }
            String value = m.group(2).replaceFirst("^[-@:+!|]+", "");
            for (List<String> words : shell(value)) {
                List<String> args = batcherArgs(words);
                if (args != null) {
                    out.add(new Command(file, lineOffset + l.line(), args));
                }
            }
        }
        return out;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<Command> dockerfileCommands(Path file, String text, int lineOffset) {
        List<Command> out = new ArrayList<>();
        List<String> entrypoint = null;
        int entrypointLine = 0;
        List<String> cmd = null;
        int cmdLine = 0;
        for (Logical l : logicalLines(text)) {
            String s = l.text().strip();
            if (s.isEmpty() || s.startsWith("#")) {
                continue;
            }
            String[] parts = s.split("\\s+", 2);
            String instruction = parts[0].toUpperCase(java.util.Locale.ROOT);
            String rest = parts.length > 1 ? parts[1].strip() : "";
            List<String> exec = rest.startsWith("[") ? jsonArray(file, l.line(), rest) : null;
            switch (instruction) {
                case "RUN" -> {
                    for (List<String> words : exec != null ? List.of(exec) : shell(rest)) {
                        List<String> args = batcherArgs(words);
                        if (args != null) {
                            out.add(new Command(file, lineOffset + l.line(), args));
                        }
                    }
                }
                case "ENTRYPOINT" -> {
                    entrypoint = exec != null ? exec : List.of("/bin/sh", "-c", rest);
                    entrypointLine = l.line();
                }
                case "CMD" -> {
                    cmd = exec != null ? exec : List.of("/bin/sh", "-c", rest);
                    cmdLine = l.line();
                }
                default -> { }
            }
        }
        if (entrypoint != null) {
            List<String> all = new ArrayList<>(entrypoint);
            if (cmd != null) {
                all.addAll(cmd);
            }
            out.addAll(vectorCommands(file, lineOffset + (cmd != null ? cmdLine : entrypointLine), all));
        } else if (cmd != null) {
            out.addAll(vectorCommands(file, lineOffset + cmdLine, cmd));
        }
        return out;
    }

    private static List<String> jsonArray(Path file, int line, String text) {
        try {
            return JSON.readValue(text, new TypeReference<List<String>>() {});
        } catch (IOException e) {
            throw new IllegalStateException(relative(file) + ":" + line + ": not a JSON array of strings: " + text, e);
        }
    }

    /** The commands of an exec vector: bin/batcher itself, or a shell running a script. */
    private static List<Command> vectorCommands(Path file, int line, List<String> vector) {
        List<Command> out = new ArrayList<>();
        if (vector.isEmpty()) {
            return out;
        }
        List<String> args = batcherArgs(vector);
        if (args != null) {
            out.add(new Command(file, line, args));
        } else if (vector.size() >= 3 && vector.get(0).matches(".*\\b(sh|bash)") && vector.get(1).equals("-c")) {
            for (List<String> words : shell(vector.get(2))) {
                List<String> a = batcherArgs(words);
                if (a != null) {
                    out.add(new Command(file, line, a));
                }
            }
        }
        return out;
    }

    private static List<Command> yamlCommands(Path file, String text, int lineOffset) {
        List<Command> out = new ArrayList<>();
        for (Node document : new Yaml(new LoaderOptions()).composeAll(new StringReader(text))) {
            collectContainers(file, document, lineOffset, out);
        }
        return out;
    }

    private static void collectContainers(Path file, Node node, int lineOffset, List<Command> out) {
        if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                String key = t.getKeyNode() instanceof ScalarNode k ? k.getValue() : "";
                if ((key.equals("containers") || key.equals("initContainers")) && t.getValueNode() instanceof SequenceNode s) {
                    for (Node c : s.getValue()) {
                        if (c instanceof MappingNode container) {
                            List<String> vector = new ArrayList<>();
                            int line = -1;
                            for (String part : List.of("command", "args")) {
                                Node v = value(container, part);
                                if (v instanceof SequenceNode seq) {
                                    for (Node item : seq.getValue()) {
                                        vector.add(((ScalarNode) item).getValue());
                                        if (line < 0) {
                                            line = item.getStartMark().getLine() + 1;
                                        }
                                    }
                                }
                            }
                            out.addAll(vectorCommands(file, lineOffset + Math.max(line, container.getStartMark().getLine() + 1),
                                    vector));
                        }
                    }
                }
                collectContainers(file, t.getValueNode(), lineOffset, out);
            }
        } else if (node instanceof SequenceNode s) {
            for (Node n : s.getValue()) {
                collectContainers(file, n, lineOffset, out);
            }
        }
    }

    private static Node value(MappingNode m, String key) {
        for (NodeTuple t : m.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                return t.getValueNode();
            }
        }
        return null;
    }

    private static final Set<String> WRAPPERS = Set.of("sudo", "env", "nohup", "exec", "time", "timeout", "nice");
    private static final Set<String> WRAPPER_OPTIONS_WITH_VALUE = Set.of("-u", "-g", "-n", "-s", "-k");

    /** Tells whether a word names the launcher: {@code bin/batcher}, {@code ./bin/batcher}, {@code /opt/batcher/bin/batcher}. */
    public static boolean isBatcher(String word) {
        return word.equals("bin/batcher") || word.endsWith("/bin/batcher");
    }

    /**
     * Returns the arguments after {@code bin/batcher} if this simple command runs it (after variable
     * assignments and wrappers such as {@code sudo -u batcher}), else null.
     */
    public static List<String> batcherArgs(List<String> words) {
        int i = 0;
        while (i < words.size()) {
            String w = words.get(i);
            if (w.matches("[A-Za-z_][A-Za-z0-9_]*=.*")) {
                i++;
                continue;
            }
            if (WRAPPERS.contains(w)) {
                i++;
                while (i < words.size() && words.get(i).startsWith("-")) {
                    if (WRAPPER_OPTIONS_WITH_VALUE.contains(words.get(i++))) {
                        i++;
                    }
                }
                if (w.equals("timeout") && i < words.size()) {
                    i++;
                }
                continue;
            }
            break;
        }
        return i < words.size() && isBatcher(words.get(i)) ? List.copyOf(words.subList(i + 1, words.size())) : null;
    }

    /**
     * Splits one shell line into simple commands and their words, as a POSIX shell would for the
     * cases documentation uses: single and double quotes, backslashes, comments, the operators
     * {@code ; & && | ||} and redirections (dropped, with their targets). {@code $VAR} and {@code
     * $(...)} stay as written.
     *
     * @throws IllegalArgumentException if a quote or a {@code $(} is not closed
     */
    public static List<List<String>> shell(String line) {
        List<List<String>> commands = new ArrayList<>();
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        boolean redirectTarget = false;
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                if (inWord) {
                    if (!redirectTarget) {
                        words.add(w.toString());
                    }
                    redirectTarget = false;
                    w.setLength(0);
                    inWord = false;
                }
                i++;
                continue;
            }
            if (!inWord && c == '#') {
                break;
            }
            if (c == ';' || c == '&' || c == '|') {
                if (inWord) {
                    if (!redirectTarget) {
                        words.add(w.toString());
                    }
                    redirectTarget = false;
                    w.setLength(0);
                    inWord = false;
                }
                if (!words.isEmpty()) {
                    commands.add(words);
                }
                words = new ArrayList<>();
                i++;
                continue;
            }
            if (c == '<' || c == '>') {
                if (inWord && !w.toString().matches("\\d+")) {
                    if (!redirectTarget) {
                        words.add(w.toString());
                    }
                }
                w.setLength(0);
                inWord = false;
                while (i < n && "<>&".indexOf(line.charAt(i)) >= 0) {
                    i++;
                }
                redirectTarget = true;
                continue;
            }
            inWord = true;
            if (c == '\'') {
                int j = line.indexOf('\'', i + 1);
                if (j < 0) {
                    throw new IllegalArgumentException("unclosed ' in: " + line);
                }
                w.append(line, i + 1, j);
                i = j + 1;
            } else if (c == '"') {
                i++;
                while (i < n && line.charAt(i) != '"') {
                    char d = line.charAt(i);
                    if (d == '\\' && i + 1 < n && "\"\\$`".indexOf(line.charAt(i + 1)) >= 0) {
                        w.append(line.charAt(i + 1));
                        i += 2;
                    } else if (d == '$' && i + 1 < n && line.charAt(i + 1) == '(') {
                        int j = closingParen(line, i + 1);
                        w.append(line, i, j + 1);
                        i = j + 1;
                    } else {
                        w.append(d);
                        i++;
                    }
                }
                if (i >= n) {
                    throw new IllegalArgumentException("unclosed \" in: " + line);
                }
                i++;
            } else if (c == '\\') {
                if (i + 1 < n) {
                    w.append(line.charAt(i + 1));
                }
                i += 2;
            } else if (c == '$' && i + 1 < n && line.charAt(i + 1) == '(') {
                int j = closingParen(line, i + 1);
                w.append(line, i, j + 1);
                i = j + 1;
            } else {
                w.append(c);
                i++;
            }
        }
        if (inWord && !redirectTarget) {
            words.add(w.toString());
        }
        if (!words.isEmpty()) {
            commands.add(words);
        }
        return commands;
    }

    private static int closingParen(String line, int open) {
        int depth = 0;
        char quote = 0;
        for (int i = open; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("unclosed $( in: " + line);
    }

    // ---------------------------------------------------------------- snippets in test sources

    /**
     * A snippet in a test source.
     *
     * @param file the source file
     * @param line the 1-based line of its {@code // doc-snippet} marker
     * @param text the lines between the markers
     */
    public record Snippet(Path file, int line, String text) {
        /** Returns {@code file:line}. */
        public String where() {
            return relative(file) + ":" + line;
        }
    }

    /** Returns the snippets of every {@code .java} file under {@code dir}: the lines between the markers. */
    public static List<Snippet> snippets(Path dir) {
        List<Snippet> out = new ArrayList<>();
        for (Path f : walk(dir)) {
            if (!f.toString().endsWith(".java")) {
                continue;
            }
            String[] lines = read(f).split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                if (!lines[i].strip().startsWith("// doc-snippet")) {
                    continue;
                }
                StringBuilder text = new StringBuilder();
                int j = i + 1;
                for (; j < lines.length && !lines[j].strip().equals("// end-doc-snippet"); j++) {
                    text.append(lines[j]).append('\n');
                }
                if (j == lines.length) {
                    throw new IllegalStateException(relative(f) + ":" + (i + 1) + ": // doc-snippet without // end-doc-snippet");
                }
                out.add(new Snippet(f, i + 1, text.toString()));
                i = j;
            }
        }
        return out;
    }

    /** Returns the blocks of every Markdown file whose language is {@code language}, by file. */
    public static Map<Path, List<Block>> blocksIn(String language) {
        Map<Path, List<Block>> out = new LinkedHashMap<>();
        for (Path f : markdownFiles()) {
            List<Block> bs = blocks(f).stream().filter(b -> b.language().equals(language)).toList();
            if (!bs.isEmpty()) {
                out.put(f, bs);
            }
        }
        return out;
    }
}
