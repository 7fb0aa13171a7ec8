package dev.batcher.deploy.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.deploy.Repository;
import dev.batcher.deploy.k8s.Manifests.Manifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * docs/deploy/k8s, offline: every manifest parses strictly into fabric8's typed Kubernetes model
 * (no API server is needed, unlike {@code kubectl apply --dry-run=client}), and the files agree with
 * each other and with the daemon's and workers' command lines.
 */
class KubernetesManifestsTest {
    static Path dir() {
        return Repository.root().resolve("docs/deploy/k8s");
    }

    static String read(String name) throws IOException {
        return Files.readString(dir().resolve(name));
    }

    /** Every manifest, with {@code name}'s text replaced by {@code text}. */
    static List<Manifest> with(String name, String text) throws IOException {
        List<Manifest> all = new ArrayList<>();
        try (var files = Files.list(dir())) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                String file = "docs/deploy/k8s/" + f.getFileName();
                all.addAll(Manifests.parse(file, f.getFileName().toString().equals(name) ? text : Files.readString(f)));
            }
        }
        return all;
    }

    @Test
    void load_everyManifest_parsesStrictlyIntoTheTypedModelAndTheFilesAgree() {
        List<Manifest> all = Manifests.load(dir(), Repository.root());
        Map<String, Integer> kinds = new TreeMap<>();
        all.forEach(m -> kinds.merge(m.resource().getKind(), 1, Integer::sum));
        assertEquals(Map.of("Deployment", 1, "Job", 1, "PersistentVolumeClaim", 2, "PodDisruptionBudget", 1, "Secret", 1,
                "Service", 2, "StatefulSet", 1), kinds, "the deployment's objects");
        List<String> problems = Agreement.problems(all);
        assertTrue(problems.isEmpty(), problems.size() + " disagreements in docs/deploy/k8s:\n" + String.join("\n", problems));
        System.out.println("KubernetesManifestsTest: " + all.size() + " objects parse strictly and agree: " + kinds);
    }

    @Test
    void parse_misspeltField_failsNamingFileFieldAndLine() throws IOException {
        String workers = read("workers.yaml");
        ManifestException e = assertThrows(ManifestException.class,
                () -> Manifests.parse("docs/deploy/k8s/workers.yaml", workers.replace("  serviceName: batcher-worker", "  serviceNmae: batcher-worker")));
        assertTrue(e.getMessage().startsWith("docs/deploy/k8s/workers.yaml, document 2 (apps/v1/StatefulSet): spec.serviceNmae: unknown field"
                + " (expected: one of ["), e.getMessage());
        assertTrue(e.getMessage().contains("serviceName") && e.getMessage().matches("(?s).*\\(line \\d+\\)$"), e.getMessage());
        int line = workers.lines().toList().indexOf("  serviceName: batcher-worker") + 1;
        assertTrue(e.getMessage().endsWith("(line " + line + ")"), e.getMessage() + " (expected: line " + line + ")");

        String manager = read("manager.yaml");
        ManifestException nested = assertThrows(ManifestException.class,
                () -> Manifests.parse("docs/deploy/k8s/manager.yaml", manager.replace("containerPort: 7071", "containerPrt: 7071")));
        assertTrue(nested.getMessage().contains("(apps/v1/Deployment): spec.template.spec.containers[0].ports[1].containerPrt: unknown field"),
                nested.getMessage());
    }

    @Test
    void parse_wrongTypesDuplicateKeysAndUnknownKinds_fail() throws IOException {
        String workers = read("workers.yaml");
        ManifestException type = assertThrows(ManifestException.class,
                () -> Manifests.parse("w.yaml", workers.replace("  replicas: 4", "  replicas: four")));
        assertTrue(type.getMessage().contains("spec.replicas"), type.getMessage());
        ManifestException duplicate = assertThrows(ManifestException.class,
                () -> Manifests.parse("w.yaml", workers.replace("  replicas: 4", "  replicas: 4\n  replicas: 5")));
        assertTrue(duplicate.getMessage().contains("Duplicate field 'replicas'"), duplicate.getMessage());
        ManifestException kind = assertThrows(ManifestException.class,
                () -> Manifests.parse("w.yaml", workers.replace("kind: StatefulSet", "kind: StatefulSett")));
        assertTrue(kind.getMessage().contains("w.yaml, document 2: apiVersion/kind apps/v1/StatefulSett (expected: one of ["),
                kind.getMessage());
    }

    static List<String> problemsWith(String name, String from, String to) throws IOException {
        String text = read(name);
        assertTrue(text.contains(from), name + " has no '" + from + "' to change");
        return Agreement.problems(with(name, text.replace(from, to)));
    }

    static void assertProblem(List<String> problems, String expected) {
        assertTrue(problems.stream().anyMatch(p -> p.contains(expected)), "expected a problem containing '" + expected + "', got:\n"
                + String.join("\n", problems));
    }

    @Test
    void problems_selectorsPortsSecretsAndBudgetsThatDisagree_areNamed() throws IOException {
        assertProblem(problemsWith("manager.yaml", "      targetPort: batcher", "      targetPort: batchr"),
                "docs/deploy/k8s/manager.yaml, document 1 (Service batcher-manager): port batcher (7070): targetPort batchr is no container port");
        assertProblem(problemsWith("manager.yaml", "            - --port=7070", "            - --port=7170"),
                "container port 'batcher' is 7070 (expected: 7170, serve's --port)");
        assertProblem(problemsWith("workers.yaml", "--manager=batcher-manager:7070", "--manager=batcher-manager:7071"),
                "--manager=batcher-manager:7071: port 7071 leads to container port 7071 (expected: 7070, serve's --port)");
        assertProblem(problemsWith("workers.yaml", "--manager=batcher-manager:7070", "--manager=batcher-manajer:7070"),
                "--manager=batcher-manajer:7070 (expected: SERVICE:PORT, a Service of [batcher-manager, batcher-worker])");
        assertProblem(problemsWith("secret.yaml", "  token: \"\"", "  tokn: \"\""), "key token of Secret batcher-token (expected: one of [tokn])");
        assertProblem(problemsWith("workers.yaml", "            - --token-file=/etc/batcher/token", "            - --token-file=/etc/batcher/tokn"),
                "--token-file=/etc/batcher/tokn: volume token (Secret batcher-token) has no file tokn");
        assertProblem(problemsWith("workers.yaml", "  serviceName: batcher-worker", "  serviceName: batcher-workers"),
                "spec.serviceName batcher-workers is not a Service");
        assertProblem(problemsWith("workers.yaml", "  maxUnavailable: 1", "  maxUnavailable: 0"), "a node drain would hang");
        assertProblem(problemsWith("workers.yaml", "  clusterIP: None\n", ""), "must be headless");
        assertProblem(problemsWith("workers.yaml", "              mountPath: /var/cache/batcher", "              mountPath: /var/cache/batch"),
                "--cache-dir=/var/cache/batcher is under no volume mount");
        assertProblem(problemsWith("workers.yaml", "            - --name=$(POD_NAME)", "            - --name=$(POD)"),
                "$(POD) is not in the container's env");
        // The PDB's selector is the last "component: worker" of workers.yaml.
        String workers = read("workers.yaml");
        int last = workers.lastIndexOf("app.kubernetes.io/component: worker");
        List<String> pdb = Agreement.problems(with("workers.yaml", workers.substring(0, last) + "app.kubernetes.io/component: wrker"
                + workers.substring(last + "app.kubernetes.io/component: worker".length())));
        assertProblem(pdb, "(PodDisruptionBudget batcher-worker): spec.selector");
        assertProblem(problemsWith("train-job.yaml", "                  key: token", "                  key: tokn"),
                "env BATCHER_TOKEN: key tokn of Secret batcher-token");
        assertProblem(problemsWith("manager.yaml", "    app.kubernetes.io/component: manager\n  ports:", "    app.kubernetes.io/component: managr\n  ports:"),
                "(Service batcher-manager): spec.selector {app.kubernetes.io/name=batcher, app.kubernetes.io/component=managr} selects no pod");
    }
}
