package dev.batcher.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * "Hosts" on one machine: a network namespace per host, each with one interface on a private
 * subnet, joined by a bridge that lives in a namespace of its own (so nothing is added to the
 * machine's own network and no packet leaves the namespaces made here). Processes run in a host's
 * namespace with a private {@code /dev/shm}, as containers on one node have. A host is partitioned
 * by taking its port off the bridge, and healed by putting it back.
 *
 * <p>Needs root, {@code ip} (iproute2) and {@code unshare} (util-linux); {@link #open} fails naming
 * what is missing. Namespaces are named {@code bh<pid>-<host>}: {@link #close} deletes them, and a
 * lab opened later deletes those whose process is gone (a JVM killed before it could close).
 */
final class NetnsLab implements AutoCloseable {
    /** The private subnet inside the lab's namespaces; nothing outside them routes it. */
    static final String SUBNET = "10.231.77.";
    private static final Pattern NAME = Pattern.compile("^(bh(\\d+)-\\S+)");

    private final String prefix;
    private final String bridgeNs;
    private final Map<String, String> hosts = new LinkedHashMap<>();
    private final List<String> namespaces = new ArrayList<>();

    private NetnsLab(String prefix) {
        this.prefix = prefix;
        this.bridgeNs = prefix + "switch";
    }

    /**
     * Opens a lab with an empty bridge.
     *
     * @return the lab
     * @throws IllegalStateException naming what is missing when this machine cannot make namespaces
     */
    static NetnsLab open() {
        String missing = missing();
        if (missing != null) {
            throw new IllegalStateException("the multi-host test cannot run here: " + missing
                    + ". It needs root (as CI has), iproute2's ip and util-linux's unshare; on Debian, as root: "
                    + "apt-get install iproute2 util-linux");
        }
        sweepStale();
        NetnsLab lab = new NetnsLab("bh" + ProcessHandle.current().pid() + "-");
        try {
            lab.addNamespace(lab.bridgeNs);
            Commands.run("ip", "-n", lab.bridgeNs, "link", "add", "br0", "type", "bridge");
            Commands.run("ip", "-n", lab.bridgeNs, "link", "set", "br0", "up");
            return lab;
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    private static String missing() {
        try {
            String uid = Commands.output(List.of("id", "-u")).strip();
            if (!uid.equals("0")) {
                return "it runs as uid " + uid + ", not root";
            }
        } catch (RuntimeException e) {
            return "id -u failed: " + e.getMessage();
        }
        for (String tool : List.of("ip", "unshare", "mount")) {
            try {
                Commands.output(List.of("sh", "-c", "command -v " + tool));
            } catch (RuntimeException e) {
                return "no '" + tool + "' on the PATH";
            }
        }
        return null;
    }

    /** Deletes the namespaces of labs whose JVM is gone. */
    private static void sweepStale() {
        for (String line : Commands.output(List.of("ip", "netns", "list")).lines().toList()) {
            Matcher m = NAME.matcher(line);
            if (m.find() && !ProcessHandle.of(Long.parseLong(m.group(2))).map(ProcessHandle::isAlive).orElse(false)) {
                Commands.run("ip", "netns", "del", m.group(1));
            }
        }
    }

    private void addNamespace(String ns) {
        Commands.run("ip", "netns", "add", ns);
        namespaces.add(ns);
        Commands.run("ip", "-n", ns, "link", "set", "lo", "up");
    }

    /**
     * Adds a host: its namespace, a veth pair to the bridge, and the next address of the subnet.
     *
     * @param host a short name (letters and digits)
     * @return the host's address
     */
    String addHost(String host) {
        String ns = prefix + host;
        String address = SUBNET + (hosts.size() + 1);
        addNamespace(ns);
        Commands.run("ip", "-n", bridgeNs, "link", "add", port(host), "type", "veth", "peer", "name", "eth0", "netns", ns);
        Commands.run("ip", "-n", bridgeNs, "link", "set", port(host), "master", "br0", "up");
        Commands.run("ip", "-n", ns, "addr", "add", address + "/24", "dev", "eth0");
        Commands.run("ip", "-n", ns, "link", "set", "eth0", "up");
        hosts.put(host, address);
        return address;
    }

    private static String port(String host) {
        return "p-" + host;
    }

    /**
     * Returns the command line that runs {@code command} on {@code host}, in its network namespace,
     * with a private tmpfs on {@code /dev/shm} (gone with the process).
     */
    List<String> on(String host, List<String> command) {
        if (!hosts.containsKey(host)) {
            throw new IllegalArgumentException("host: " + host + " (expected: one of " + hosts.keySet() + ")");
        }
        List<String> line = new ArrayList<>(List.of("ip", "netns", "exec", prefix + host, "unshare", "--mount",
                "--propagation", "private", "sh", "-c", "mount -t tmpfs -o size=512m,mode=1777 tmpfs /dev/shm && exec \"$@\"", "sh"));
        line.addAll(command);
        return line;
    }

    /** Cuts {@code host} off: its port leaves the bridge, so its packets are dropped silently. */
    void partition(String host) {
        Commands.run("ip", "-n", bridgeNs, "link", "set", port(host), "nomaster");
    }

    /** Puts {@code host}'s port back on the bridge. */
    void heal(String host) {
        Commands.run("ip", "-n", bridgeNs, "link", "set", port(host), "master", "br0");
    }

    /** Deletes every namespace of the lab (and with them the veth pairs and the bridge). Stop its processes first. */
    @Override
    public void close() {
        RuntimeException first = null;
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            try {
                Commands.run("ip", "netns", "del", namespaces.get(i));
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        namespaces.clear();
        if (first != null) {
            throw first;
        }
    }
}
