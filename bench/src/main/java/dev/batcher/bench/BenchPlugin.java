package dev.batcher.bench;

import dev.batcher.service.cli.CommandPlugin;

/** Adds {@code bench} to {@code bin/batcher}; found with ServiceLoader, as the samples' commands are. */
public final class BenchPlugin implements CommandPlugin {
    @Override
    public Object command() {
        return new BenchCommand();
    }
}
