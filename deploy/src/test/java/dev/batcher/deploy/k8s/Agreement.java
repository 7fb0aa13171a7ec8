package dev.batcher.deploy.k8s;

import dev.batcher.deploy.k8s.Manifests.Manifest;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether parsed manifests fit together: selectors select the pods they are meant to, Service ports
 * lead to container ports and those to the daemon's command line, workers and trainers connect to a
 * Service port that reaches the daemon, the token file is the Secret's key where it is mounted, every
 * volume, claim and Secret referred to exists, and the disruption budget covers the workers without
 * blocking every eviction. Each problem names the file, the document and what disagrees.
 */
public final class Agreement {
    private static final Pattern ENV_REF = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
    private static final String DAEMON_PORT = "--port";

    private final List<Manifest> manifests;
    private final List<String> problems = new ArrayList<>();
    private final Map<String, Manifest> services = new LinkedHashMap<>();
    private final Map<String, Secret> secrets = new LinkedHashMap<>();
    private final Set<String> claims = new TreeSet<>();
    private final List<Workload> workloads = new ArrayList<>();

    /** A Deployment, StatefulSet or Job: its pod template and what selects its pods. */
    record Workload(Manifest manifest, LabelSelector selector, PodTemplateSpec template, Integer replicas,
            List<PersistentVolumeClaim> claimTemplates) {
        Map<String, String> labels() {
            return template.getMetadata() == null || template.getMetadata().getLabels() == null ? Map.of()
                    : template.getMetadata().getLabels();
        }

        List<Container> containers() {
            return template.getSpec().getContainers();
        }
    }

    private Agreement(List<Manifest> manifests) {
        this.manifests = manifests;
    }

    /**
     * Checks the manifests against each other.
     *
     * @param manifests every document of the deployment
     * @return the problems found, empty if they agree
     */
    public static List<String> problems(List<Manifest> manifests) {
        Agreement a = new Agreement(manifests);
        a.index();
        a.checkWorkloads();
        a.checkServices();
        a.checkBudgets();
        a.checkCommandLines();
        return List.copyOf(a.problems);
    }

    private void problem(Manifest m, String what) {
        problems.add(m.where() + ": " + what);
    }

    private void index() {
        Set<String> seen = new TreeSet<>();
        for (Manifest m : manifests) {
            String key = m.resource().getKind() + "/" + m.resource().getMetadata().getName();
            if (!seen.add(key)) {
                problem(m, "a second " + key);
            }
            HasMetadata r = m.resource();
            if (r instanceof Service s) {
                services.put(s.getMetadata().getName(), m);
            } else if (r instanceof Secret s) {
                secrets.put(s.getMetadata().getName(), s);
            } else if (r instanceof PersistentVolumeClaim c) {
                claims.add(c.getMetadata().getName());
            } else if (r instanceof Deployment d) {
                workloads.add(new Workload(m, d.getSpec().getSelector(), d.getSpec().getTemplate(), d.getSpec().getReplicas(), List.of()));
            } else if (r instanceof StatefulSet s) {
                workloads.add(new Workload(m, s.getSpec().getSelector(), s.getSpec().getTemplate(), s.getSpec().getReplicas(),
                        s.getSpec().getVolumeClaimTemplates()));
            } else if (r instanceof Job j) {
                workloads.add(new Workload(m, j.getSpec().getSelector(), j.getSpec().getTemplate(), 1, List.of()));
            }
        }
    }

    /** Whether {@code selector}'s labels are all among {@code labels}; a selector with expressions is a problem of its own. */
    private boolean selects(Map<String, String> selector, Map<String, String> labels) {
        return selector != null && !selector.isEmpty() && labels.entrySet().containsAll(selector.entrySet());
    }

    private Map<String, String> matchLabels(Manifest m, LabelSelector s) {
        if (s == null) {
            return null;
        }
        if (s.getMatchExpressions() != null && !s.getMatchExpressions().isEmpty()) {
            problem(m, "selector.matchExpressions: not checked here (expected: matchLabels only)");
        }
        return s.getMatchLabels();
    }

    private void checkWorkloads() {
        for (Workload w : workloads) {
            Map<String, String> selector = matchLabels(w.manifest(), w.selector());
            boolean job = w.manifest().resource() instanceof Job;
            if (!job && !selects(selector, w.labels())) {
                problem(w.manifest(), "spec.selector " + selector + " does not select its own pod template's labels " + w.labels());
            }
            Map<String, Volume> volumes = new LinkedHashMap<>();
            for (Volume v : Objects.requireNonNullElse(w.template().getSpec().getVolumes(), List.<Volume>of())) {
                volumes.put(v.getName(), v);
                if (v.getPersistentVolumeClaim() != null && !claims.contains(v.getPersistentVolumeClaim().getClaimName())) {
                    problem(w.manifest(), "volume " + v.getName() + ": claim " + v.getPersistentVolumeClaim().getClaimName()
                            + " is not defined (expected: one of " + claims + ")");
                }
                if (v.getSecret() != null) {
                    Secret s = secrets.get(v.getSecret().getSecretName());
                    if (s == null) {
                        problem(w.manifest(), "volume " + v.getName() + ": Secret " + v.getSecret().getSecretName()
                                + " is not defined (expected: one of " + secrets.keySet() + ")");
                    } else {
                        Objects.requireNonNullElse(v.getSecret().getItems(), List.<io.fabric8.kubernetes.api.model.KeyToPath>of())
                                .forEach(i -> checkKey(w.manifest(), "volume " + v.getName(), s, i.getKey()));
                    }
                }
            }
            Set<String> templates = new TreeSet<>();
            w.claimTemplates().forEach(c -> templates.add(c.getMetadata().getName()));
            for (Container c : w.containers()) {
                for (VolumeMount vm : Objects.requireNonNullElse(c.getVolumeMounts(), List.<VolumeMount>of())) {
                    if (!volumes.containsKey(vm.getName()) && !templates.contains(vm.getName())) {
                        problem(w.manifest(), "container " + c.getName() + ": volumeMount " + vm.getName()
                                + " has no volume or claim template (expected: one of " + volumes.keySet() + " " + templates + ")");
                    }
                }
                for (EnvVar e : Objects.requireNonNullElse(c.getEnv(), List.<EnvVar>of())) {
                    SecretKeySelector ref = e.getValueFrom() == null ? null : e.getValueFrom().getSecretKeyRef();
                    if (ref != null) {
                        Secret s = secrets.get(ref.getName());
                        if (s == null) {
                            problem(w.manifest(), "env " + e.getName() + ": Secret " + ref.getName() + " is not defined");
                        } else {
                            checkKey(w.manifest(), "env " + e.getName(), s, ref.getKey());
                        }
                    }
                }
            }
        }
    }

    private void checkKey(Manifest m, String where, Secret s, String key) {
        Set<String> keys = keys(s);
        if (!keys.contains(key)) {
            problem(m, where + ": key " + key + " of Secret " + s.getMetadata().getName() + " (expected: one of " + keys + ")");
        }
    }

    private static Set<String> keys(Secret s) {
        Set<String> keys = new TreeSet<>();
        if (s.getData() != null) {
            keys.addAll(s.getData().keySet());
        }
        if (s.getStringData() != null) {
            keys.addAll(s.getStringData().keySet());
        }
        return keys;
    }

    private List<Workload> selected(Map<String, String> selector) {
        return workloads.stream().filter(w -> !(w.manifest().resource() instanceof Job) && selects(selector, w.labels())).toList();
    }

    private void checkServices() {
        for (Manifest m : services.values()) {
            Service s = (Service) m.resource();
            List<Workload> pods = selected(s.getSpec().getSelector());
            if (pods.isEmpty()) {
                problem(m, "spec.selector " + s.getSpec().getSelector() + " selects no pod of a Deployment or StatefulSet");
            }
            for (ServicePort p : Objects.requireNonNullElse(s.getSpec().getPorts(), List.<ServicePort>of())) {
                for (Workload w : pods) {
                    if (containerPort(w, p) == null) {
                        problem(m, "port " + p.getName() + " (" + p.getPort() + "): targetPort " + target(p) + " is no container port of "
                                + w.manifest().resource().getKind() + " " + w.manifest().resource().getMetadata().getName());
                    }
                }
            }
        }
        for (Workload w : workloads) {
            if (w.manifest().resource() instanceof StatefulSet set) {
                Manifest svc = services.get(set.getSpec().getServiceName());
                if (svc == null) {
                    problem(w.manifest(), "spec.serviceName " + set.getSpec().getServiceName() + " is not a Service (expected: one of "
                            + services.keySet() + ")");
                } else {
                    Service s = (Service) svc.resource();
                    if (!"None".equals(s.getSpec().getClusterIP())) {
                        problem(svc, "the StatefulSet's governing Service must be headless (spec.clusterIP: None), not "
                                + s.getSpec().getClusterIP());
                    }
                    if (!selects(s.getSpec().getSelector(), w.labels())) {
                        problem(svc, "spec.selector " + s.getSpec().getSelector() + " does not select the StatefulSet's pods " + w.labels());
                    }
                }
            }
        }
    }

    private static String target(ServicePort p) {
        IntOrString t = p.getTargetPort();
        return t == null ? String.valueOf(p.getPort()) : t.getStrVal() != null ? t.getStrVal() : String.valueOf(t.getIntVal());
    }

    /** The container port a Service port leads to in a workload's pods, or null. */
    private static ContainerPort containerPort(Workload w, ServicePort p) {
        String t = target(p);
        for (Container c : w.containers()) {
            for (ContainerPort cp : Objects.requireNonNullElse(c.getPorts(), List.<ContainerPort>of())) {
                if (t.equals(cp.getName()) || t.equals(String.valueOf(cp.getContainerPort()))) {
                    return cp;
                }
            }
        }
        return null;
    }

    private void checkBudgets() {
        for (Manifest m : manifests) {
            if (m.resource() instanceof PodDisruptionBudget pdb) {
                List<Workload> pods = selected(matchLabels(m, pdb.getSpec().getSelector()));
                if (pods.isEmpty()) {
                    problem(m, "spec.selector " + pdb.getSpec().getSelector().getMatchLabels() + " selects no pod");
                }
                IntOrString min = pdb.getSpec().getMinAvailable();
                IntOrString max = pdb.getSpec().getMaxUnavailable();
                if ((min == null) == (max == null)) {
                    problem(m, "spec: exactly one of minAvailable and maxUnavailable (expected: one)");
                }
                for (Workload w : pods) {
                    int replicas = w.replicas() == null ? 1 : w.replicas();
                    boolean blocksAll = max != null ? max.getIntVal() != null && max.getIntVal() < 1
                            : min.getIntVal() != null && min.getIntVal() >= replicas;
                    if (blocksAll) {
                        problem(m, "it lets no pod of " + w.manifest().resource().getMetadata().getName() + " (replicas " + replicas
                                + ") be evicted: a node drain would hang (expected: maxUnavailable >= 1 or minAvailable < replicas)");
                    }
                }
            }
        }
    }

    private void checkCommandLines() {
        Integer daemonPort = null;
        Workload daemon = null;
        for (Workload w : workloads) {
            for (Container c : w.containers()) {
                Map<String, String> a = CommandLine.of(c);
                if (a != null && "serve".equals(a.get(CommandLine.SUBCOMMAND))) {
                    daemon = w;
                    daemonPort = checkDaemon(w, c, a);
                }
            }
        }
        Set<String> datasetMounts = new TreeSet<>();
        for (Workload w : workloads) {
            for (Container c : w.containers()) {
                Map<String, String> a = CommandLine.of(c);
                if (a == null) {
                    problem(w.manifest(), "container " + c.getName() + " does not run bin/batcher as its command, so its arguments "
                            + "are not checked: " + c.getCommand());
                    continue;
                }
                Mounts mounts = new Mounts(w, c, secrets);
                for (Map.Entry<String, String> e : a.entrySet()) {
                    String value = e.getValue();
                    Matcher ref = ENV_REF.matcher(value);
                    while (ref.find()) {
                        String name = ref.group(1);
                        if (Objects.requireNonNullElse(c.getEnv(), List.<EnvVar>of()).stream().noneMatch(v -> v.getName().equals(name))) {
                            problem(w.manifest(), e.getKey() + "=" + value + ": $(" + name + ") is not in the container's env");
                        }
                    }
                    switch (e.getKey()) {
                        case "--token-file" -> mounts.checkSecretFile(e.getKey(), value, this::problem);
                        case "--dataset-root", "--dataset" -> {
                            String mount = mounts.checkUnder(e.getKey(), value, "batcher-datasets", true, this::problem);
                            if (mount != null) {
                                datasetMounts.add(mount);
                            }
                        }
                        case "--cache-dir" -> mounts.checkUnder(e.getKey(), value, null, false, this::problem);
                        case "--manager" -> checkManager(w, value, daemon, daemonPort);
                        default -> { }
                    }
                }
            }
        }
        if (datasetMounts.size() > 1) {
            problems.add("the pods mount the datasets at different paths " + datasetMounts + " (expected: one path, so that a "
                    + "dataset's path means the same files in every pod)");
        }
    }

    /** Checks serve's ports against its container ports; returns its --port. */
    private Integer checkDaemon(Workload w, Container c, Map<String, String> a) {
        int port = Integer.parseInt(a.getOrDefault(DAEMON_PORT, "7070"));
        int metrics = Integer.parseInt(a.getOrDefault("--metrics-port", String.valueOf(port + 1)));
        String bind = a.getOrDefault("--bind", "127.0.0.1");
        if (bind.startsWith("127.") || bind.equals("localhost")) {
            problem(w.manifest(), "serve --bind " + bind + ": other pods cannot connect (expected: 0.0.0.0 or the pod's address)");
        }
        if (!a.containsKey("--token-file")) {
            problem(w.manifest(), "serve listens beyond loopback without --token-file");
        }
        Map<String, Integer> ports = new LinkedHashMap<>();
        Objects.requireNonNullElse(c.getPorts(), List.<ContainerPort>of()).forEach(p -> ports.put(p.getName(), p.getContainerPort()));
        if (!Objects.equals(ports.get("batcher"), port)) {
            problem(w.manifest(), "container port 'batcher' is " + ports.get("batcher") + " (expected: " + port + ", serve's --port)");
        }
        if (metrics >= 0 && ports.containsKey("metrics") && ports.get("metrics") != metrics) {
            problem(w.manifest(), "container port 'metrics' is " + ports.get("metrics") + " (expected: " + metrics
                    + ", serve's --metrics-port or --port + 1)");
        }
        return port;
    }

    private void checkManager(Workload w, String value, Workload daemon, Integer daemonPort) {
        int colon = value.lastIndexOf(':');
        String host = colon < 0 ? value : value.substring(0, colon);
        String service = host.split("\\.")[0];
        Manifest m = services.get(service);
        if (colon < 0 || m == null) {
            problem(w.manifest(), "--manager=" + value + " (expected: SERVICE:PORT, a Service of " + services.keySet() + ")");
            return;
        }
        int port = Integer.parseInt(value.substring(colon + 1));
        Service s = (Service) m.resource();
        ServicePort p = Objects.requireNonNullElse(s.getSpec().getPorts(), List.<ServicePort>of()).stream()
                .filter(x -> x.getPort() == port).findFirst().orElse(null);
        if (p == null) {
            problem(w.manifest(), "--manager=" + value + ": Service " + service + " has no port " + port);
        } else if (daemon == null || !selected(s.getSpec().getSelector()).contains(daemon)) {
            problem(w.manifest(), "--manager=" + value + ": Service " + service + " does not select the daemon's pods");
        } else {
            ContainerPort cp = containerPort(daemon, p);
            if (cp == null || !Objects.equals(cp.getContainerPort(), daemonPort)) {
                problem(w.manifest(), "--manager=" + value + ": port " + port + " leads to container port "
                        + (cp == null ? null : cp.getContainerPort()) + " (expected: " + daemonPort + ", serve's --port)");
            }
        }
    }
}
