package dev.batcher.service.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code batcher} command line: {@code bin/batcher --help} lists the subcommands. */
@Command(name = "batcher", mixinStandardHelpOptions = true, version = "batcher 0.1.0",
        description = "Deterministic, resumable batch loading for machine-learning training.",
        subcommands = {IndexCommand.class, PeekCommand.class, ServeCommand.class, WorkerCommand.class,
            StatusCommand.class, ClasspathCommand.class})
public final class Main {
    private Main() {}

    /**
     * Runs the command line.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        configureLogging();
        System.exit(commandLine().execute(args));
    }

    /**
     * Applies this module's {@code simplelogger.properties} as system properties, which slf4j-simple
     * ranks above any file. jHDF's jar holds a file of the same name that logs every file open to
     * standard output, and which of the two the class path finds first depends on the order in which
     * {@code lib/*} is listed: the output of {@code status --json} or {@code peek} must not.
     */
    static void configureLogging() {
        String self = Main.class.getName().replace('.', '/') + ".class";
        java.net.URL url = Main.class.getClassLoader().getResource(self);
        if (url == null) {
            return;
        }
        String base = url.toString().substring(0, url.toString().length() - self.length());
        java.util.Properties p = new java.util.Properties();
        try (java.io.InputStream in = java.net.URI.create(base + "simplelogger.properties").toURL().openStream()) {
            p.load(in);
        } catch (java.io.IOException | IllegalArgumentException e) {
            return; // slf4j-simple's own configuration then
        }
        p.forEach((k, v) -> System.getProperties().putIfAbsent(k, v));
    }

    /**
     * Returns the command line as {@code bin/batcher} runs it: the built-in subcommands, those of every
     * {@link CommandPlugin} on the class path (the bench and samples modules add theirs this way) and
     * the handler that prints messages instead of stack traces. Other modules' tests run their
     * subcommands through it.
     *
     * @return a new command line
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        for (CommandPlugin plugin : java.util.ServiceLoader.load(CommandPlugin.class)) {
            cl.addSubcommand(plugin.command());
        }
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            // Users get the message, which names the file, field or value; the trace only with -Dbatcher.trace=true.
            cmd.getErr().println("batcher " + cmd.getCommandName() + ": " + describe(e));
            if (Boolean.getBoolean("batcher.trace")) {
                e.printStackTrace(cmd.getErr());
            }
            return 2;
        });
        return cl;
    }

    static String describe(Throwable e) {
        StringBuilder s = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null && !s.toString().contains(c.getMessage())) {
                s.append("\n  caused by ").append(c.getClass().getSimpleName()).append(": ").append(c.getMessage());
            }
        }
        return s.toString();
    }
}
