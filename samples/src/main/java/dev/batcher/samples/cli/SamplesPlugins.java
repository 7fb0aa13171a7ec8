package dev.batcher.samples.cli;

import dev.batcher.service.cli.CommandPlugin;

/** The samples' subcommands of {@code bin/batcher}, found with ServiceLoader. */
public final class SamplesPlugins {
    private SamplesPlugins() {}

    /** Adds {@code generate}. */
    public static final class Generate implements CommandPlugin {
        @Override
        public Object command() {
            return new GenerateCommand();
        }
    }

    /** Adds {@code train}. */
    public static final class Train implements CommandPlugin {
        @Override
        public Object command() {
            return new TrainCommand();
        }
    }

    /** Adds {@code quickstart}. */
    public static final class Start implements CommandPlugin {
        @Override
        public Object command() {
            return new QuickstartCommand();
        }
    }
}
