/** The samples' subcommands of {@code bin/batcher}: {@code quickstart} and {@code train}. */
package dev.batcher.samples.cli;
