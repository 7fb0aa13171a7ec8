package dev.batcher.samples.sleep;

import java.util.List;
import picocli.CommandLine;

/** The trainer's option parsing, for tests outside this package (the docs test checks {@code bin/batcher train} lines). */
public final class TrainerArgs {
    private TrainerArgs() {
    }

    /**
     * Parses the trainer's options as {@link SleepStageTrainer#run} does, without running anything.
     *
     * @param args the options after {@code bin/batcher train} that {@code train} itself does not take
     * @throws CommandLine.ParameterException if an option is unknown, lacks its value or a required one is missing
     */
    public static void parse(List<String> args) {
        new CommandLine(new TrainOptions()).setOverwrittenOptionsAllowed(true).parseArgs(args.toArray(String[]::new));
    }
}
