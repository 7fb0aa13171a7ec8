package dev.batcher.deploy;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real single-node Slurm cluster of this machine, as root: its own munged (key and socket in the
 * cluster's directory), slurmctld and slurmd on free ports, with a configuration of its own
 * (linuxproc process tracking, no cgroups, no accounting). Nothing of the machine's Slurm or munge
 * configuration is read or changed; clients reach this cluster through {@link #environment()}
 * ({@code SLURM_CONF}). {@link #close} cancels its jobs and stops its daemons.
 */
final class SlurmCluster implements AutoCloseable {
    /** The commands this needs, and the Debian packages that hold them. */
    static final Map<String, String> TOOLS = Map.of("slurmctld", "slurmctld", "slurmd", "slurmd", "sbatch", "slurm-client",
            "srun", "slurm-client", "sinfo", "slurm-client", "scancel", "slurm-client", "squeue", "slurm-client",
            "munged", "munge", "mungekey", "munge");

    private final Path dir;
    private final String node;
    private final List<HostProcess> daemons = new ArrayList<>();

    private SlurmCluster(Path dir, String node) {
        this.dir = dir;
        this.node = node;
    }

    /**
     * Starts the cluster in {@code dir} and waits until its node is idle.
     *
     * @param dir an empty directory for its key, configuration, state and logs
     * @return the running cluster
     * @throws IllegalStateException naming what is missing, or with the daemons' logs if the node does not come up
     */
    static SlurmCluster start(Path dir) throws IOException {
        List<String> missing = new ArrayList<>();
        TOOLS.forEach((tool, pkg) -> {
            try {
                Commands.output(List.of("sh", "-c", "command -v " + tool));
            } catch (RuntimeException e) {
                missing.add(tool + " (Debian package " + pkg + ")");
            }
        });
        String uid = Commands.output(List.of("id", "-u")).strip();
        if (!missing.isEmpty() || !uid.equals("0")) {
            throw new IllegalStateException("the Slurm test cannot run here: " + (uid.equals("0") ? "" : "it runs as uid " + uid
                    + ", not root (slurmd must be root); ") + (missing.isEmpty() ? "" : "missing " + missing.stream().sorted().toList()
                    + "; as root on Debian: apt-get install slurmctld slurmd slurm-client munge (deploy/tools/deploy-env.sh does it)"));
        }
        String node = Commands.output(List.of("hostname")).strip();
        try {
            Commands.output(List.of("getent", "hosts", node));
        } catch (RuntimeException e) {
            throw new IllegalStateException("the Slurm test cannot run here: this host's name " + node + " does not resolve "
                    + "(getent hosts " + node + "); the batch script gives the workers the daemon's host name. Add it to /etc/hosts", e);
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        for (String d : List.of("state", "spool")) {
            Files.createDirectories(dir.resolve(d));
        }
        SlurmCluster c = new SlurmCluster(dir, node);
        try {
            c.launch();
            return c;
        } catch (RuntimeException | Error e) {
            c.close();
            throw e;
        }
    }

    private void launch() throws IOException {
        Commands.run("mungekey", "--create", "--keyfile=" + dir.resolve("munge.key"));
        daemons.add(HostProcess.start(List.of("munged", "--foreground", "--force", "--socket=" + socket(), "--key-file="
                + dir.resolve("munge.key"), "--pid-file=" + dir.resolve("munged.pid"), "--seed-file=" + dir.resolve("munged.seed"),
                "--log-file=" + dir.resolve("munged.log")), dir.resolve("munged.out")));
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(socket()));
        Files.writeString(conf(), String.join("\n",
                "ClusterName=batchertest",
                "SlurmctldHost=" + node + "(127.0.0.1)",
                "SlurmctldPort=" + freePort(),
                "SlurmdPort=" + freePort(),
                "SlurmUser=root",
                "SlurmdUser=root",
                "AuthType=auth/munge",
                "CredType=cred/munge",
                "AuthInfo=socket=" + socket(),
                "StateSaveLocation=" + dir.resolve("state"),
                "SlurmdSpoolDir=" + dir.resolve("spool"),
                "SlurmctldPidFile=" + dir.resolve("slurmctld.pid"),
                "SlurmdPidFile=" + dir.resolve("slurmd.pid"),
                "SlurmctldLogFile=" + dir.resolve("slurmctld.log"),
                "SlurmdLogFile=" + dir.resolve("slurmd.log"),
                "ProctrackType=proctrack/linuxproc",
                "TaskPlugin=task/none",
                "JobAcctGatherType=jobacct_gather/none",
                "AccountingStorageType=accounting_storage/none",
                "JobCompType=jobcomp/none",
                "SchedulerType=sched/builtin",
                "SelectType=select/cons_tres",
                "SelectTypeParameters=CR_Core",
                "ReturnToService=2",
                "MpiDefault=none",
                "SwitchType=switch/none",
                "NodeName=" + node + " NodeAddr=127.0.0.1 CPUs=" + Runtime.getRuntime().availableProcessors() + " State=UNKNOWN",
                "PartitionName=batcher Nodes=ALL Default=YES MaxTime=30 State=UP", ""));
        daemons.add(HostProcess.start(List.of("slurmctld", "-D", "-f", conf().toString()), dir.resolve("slurmctld.out")));
        daemons.add(HostProcess.start(List.of("slurmd", "-D", "-f", conf().toString(), "-N", node), dir.resolve("slurmd.out")));
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> query("sinfo", "--noheader", "--format=%t").strip().equals("idle"));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new IllegalStateException("the Slurm node did not become idle in 60 s:\n" + logs(), e);
        }
    }

    private Path socket() {
        return dir.resolve("munge.socket");
    }

    Path conf() {
        return dir.resolve("slurm.conf");
    }

    /** Returns the node's name (this host's name). */
    String node() {
        return node;
    }

    /** The environment that points Slurm's commands at this cluster. */
    Map<String, String> environment() {
        return Map.of("SLURM_CONF", conf().toString());
    }

    /** Runs one of Slurm's commands against this cluster, returning its output. */
    String query(String... command) {
        List<String> line = new ArrayList<>(List.of("env", "SLURM_CONF=" + conf()));
        line.addAll(List.of(command));
        return Commands.output(line);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The daemons' logs, for failure messages. */
    String logs() {
        StringBuilder b = new StringBuilder();
        for (String f : List.of("munged.out", "slurmctld.out", "slurmctld.log", "slurmd.out", "slurmd.log")) {
            try {
                Path p = dir.resolve(f);
                if (Files.exists(p)) {
                    List<String> lines = Files.readAllLines(p);
                    b.append("---- ").append(f).append('\n');
                    lines.subList(Math.max(0, lines.size() - 30), lines.size()).forEach(l -> b.append(l).append('\n'));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return b.toString();
    }

    /** Cancels every job of the cluster, waits until none is left, and stops slurmd, slurmctld and munged. */
    @Override
    public void close() {
        try {
            if (Files.exists(conf()) && daemons.size() == 3) {
                query("scancel", "--full", "--partition=batcher");
                await().atMost(Duration.ofSeconds(60)).until(() -> query("squeue", "--noheader").isBlank());
            }
        } finally {
            for (int i = daemons.size() - 1; i >= 0; i--) {
                daemons.get(i).close();
            }
        }
    }
}
