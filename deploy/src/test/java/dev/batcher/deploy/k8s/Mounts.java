package dev.batcher.deploy.k8s;

import dev.batcher.deploy.k8s.Agreement.Workload;
import dev.batcher.deploy.k8s.Manifests.Manifest;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/** Where a container's paths come from: its volume mounts, their volumes and the Secrets behind them. */
final class Mounts {
    private final Workload workload;
    private final Container container;
    private final Map<String, Secret> secrets;
    private final Map<String, Volume> volumes = new LinkedHashMap<>();

    Mounts(Workload workload, Container container, Map<String, Secret> secrets) {
        this.workload = workload;
        this.container = container;
        this.secrets = secrets;
        Objects.requireNonNullElse(workload.template().getSpec().getVolumes(), List.<Volume>of()).forEach(v -> volumes.put(v.getName(), v));
    }

    /** The mount whose path holds {@code path}, the deepest one if several do, or null. */
    private VolumeMount mountOf(String path) {
        VolumeMount best = null;
        for (VolumeMount m : Objects.requireNonNullElse(container.getVolumeMounts(), List.<VolumeMount>of())) {
            if (Path.of(path).startsWith(Path.of(m.getMountPath()))
                    && (best == null || m.getMountPath().length() > best.getMountPath().length())) {
                best = m;
            }
        }
        return best;
    }

    /** Checks that {@code file} is a key of a mounted Secret volume. */
    void checkSecretFile(String option, String file, BiConsumer<Manifest, String> problem) {
        Manifest m = workload.manifest();
        String where = "container " + container.getName() + ": " + option + "=" + file;
        VolumeMount mount = mountOf(file);
        Volume v = mount == null ? null : volumes.get(mount.getName());
        if (v == null || v.getSecret() == null || !Path.of(file).getParent().equals(Path.of(mount.getMountPath()))) {
            problem.accept(m, where + " is not a file of a mounted Secret volume");
            return;
        }
        String name = Path.of(file).getFileName().toString();
        List<KeyToPath> items = v.getSecret().getItems();
        Secret s = secrets.get(v.getSecret().getSecretName());
        boolean found = items != null && !items.isEmpty() ? items.stream().anyMatch(i -> i.getPath().equals(name))
                : s != null && (s.getStringData() != null && s.getStringData().containsKey(name) || s.getData() != null && s.getData().containsKey(name));
        if (!found) {
            problem.accept(m, where + ": volume " + v.getName() + " (Secret " + v.getSecret().getSecretName() + ") has no file " + name);
        }
        if (!Boolean.TRUE.equals(mount.getReadOnly())) {
            problem.accept(m, where + ": the token's volume must be mounted readOnly");
        }
    }

    /**
     * Checks that {@code path} lies under a mount (of claim {@code claim} if not null; read-only if
     * {@code readOnly}) and returns that mount's path, or null.
     */
    String checkUnder(String option, String path, String claim, boolean readOnly, BiConsumer<Manifest, String> problem) {
        Manifest m = workload.manifest();
        String where = "container " + container.getName() + ": " + option + "=" + path;
        VolumeMount mount = mountOf(path);
        if (mount == null) {
            problem.accept(m, where + " is under no volume mount");
            return null;
        }
        Volume v = volumes.get(mount.getName());
        String actual = v == null || v.getPersistentVolumeClaim() == null ? null : v.getPersistentVolumeClaim().getClaimName();
        if (claim != null && !claim.equals(actual)) {
            problem.accept(m, where + ": mounted from " + mount.getName() + " (expected: the claim " + claim + ")");
        }
        if (readOnly && !Boolean.TRUE.equals(mount.getReadOnly())) {
            problem.accept(m, where + ": the datasets must be mounted readOnly");
        }
        if (!readOnly && Boolean.TRUE.equals(mount.getReadOnly())) {
            problem.accept(m, where + ": mounted readOnly, but the process writes there");
        }
        return mount.getMountPath();
    }
}
