package dev.batcher.service.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code batcher} command line: {@code bin/batcher --help} lists the subcommands. */
@Command(name = "batcher", mixinStandardHelpOptions = true, version = "batcher 0.1.0",
        description = "Deterministic, resumable batch loading for machine-learning training.",
        subcommands = {GenerateCommand.class, IndexCommand.class, PeekCommand.class, ServeCommand.class, WorkerCommand.class,
            StatusCommand.class, BenchCommand.class})
public final class Main {
    private Main() {}

    /**
     * Runs the command line.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** Returns the configured command line, for tests. */
    static CommandLine commandLine() {
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
