/**
 * {@code bin/batcher}: generate, index and peek at datasets, serve batchers, run workers, show status
 * and run benchmarks. Other modules add subcommands through {@link
 * dev.batcher.service.cli.CommandPlugin}.
 */
package dev.batcher.service.cli;
