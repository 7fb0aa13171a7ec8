package dev.batcher.samples.cli;

import dev.batcher.client.BatcherClient;
import dev.batcher.client.ClientOptions;
import dev.batcher.samples.sleep.LocalBatcherFactory;
import dev.batcher.samples.sleep.ServiceBatcherFactory;
import dev.batcher.samples.sleep.SleepStageTrainer;
import dev.batcher.samples.sleep.StepListener;
import dev.batcher.samples.sleep.TrainResult;
import dev.batcher.service.cli.HostPort;
import dev.batcher.service.cli.TokenOptions;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/** {@code batcher train}: the sleep-stage trainer, in this process or through a daemon. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train the sample sleep-stage classifier on a dataset, taking batches from a batcher daemon",
                "(--manager) or from this process. Every other option goes to the trainer: see",
                "'bin/batcher train --trainer-help'."})
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--manager", paramLabel = "HOST:PORT", converter = HostPort.class,
            description = "Take batches from this daemon, with the token of --token-file or BATCHER_TOKEN if it "
                    + "needs one (default: in this process).")
    InetSocketAddress manager;

    @Option(names = "--run", defaultValue = "sleep", description = "The run's name on the daemon (default: ${DEFAULT-VALUE}).")
    String run;

    @Option(names = "--trainer-help", description = "Show the trainer's options.")
    boolean trainerHelp;

    @Mixin
    TokenOptions tokenOptions;

    @Unmatched
    List<String> trainerArgs = new ArrayList<>();

    @Override
    public Integer call() throws java.io.IOException {
        if (trainerHelp) {
            SleepStageTrainer.run(new String[] {"--help"});
            return 0;
        }
        String[] args = trainerArgs.toArray(String[]::new);
        TrainResult r;
        if (manager == null) {
            r = SleepStageTrainer.run(args, new LocalBatcherFactory(), System.out, StepListener.none());
        } else {
            InetSocketAddress address = manager;
            String token = tokenOptions.token();
            try (BatcherClient client = BatcherClient.connect(address, ClientOptions.defaults().withToken(token).withPrefetch(true))) {
                r = SleepStageTrainer.run(args, new ServiceBatcherFactory(client, run), System.out, StepListener.none());
            }
        }
        return r == null ? 2 : 0;
    }
}
