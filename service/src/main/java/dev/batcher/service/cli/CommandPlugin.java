package dev.batcher.service.cli;

/**
 * Adds a subcommand to {@code bin/batcher} from another module: implementations listed in {@code
 * META-INF/services/dev.batcher.service.cli.CommandPlugin} are found with {@link
 * java.util.ServiceLoader}. The samples module adds {@code quickstart} and {@code train} this way.
 */
public interface CommandPlugin {

    /** Returns a new picocli command object (a class annotated with {@code @Command}). */
    Object command();
}
