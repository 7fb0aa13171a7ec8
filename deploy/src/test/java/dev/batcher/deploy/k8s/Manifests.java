package dev.batcher.deploy.k8s;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Parses Kubernetes manifests strictly into fabric8's typed model: an unknown or misspelt field, a
 * duplicate key, a string where a number belongs, or a kind this deployment does not use fails,
 * naming the file, the document, the field's path and its line. (fabric8's own mapper keeps unknown
 * fields in each object's {@code additionalProperties}; here that catch-all is removed.)
 */
public final class Manifests {
    /** The kinds docs/deploy/k8s uses, by {@code apiVersion/kind}. */
    static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "v1/Service", Service.class,
            "v1/Secret", Secret.class,
            "v1/PersistentVolumeClaim", PersistentVolumeClaim.class,
            "apps/v1/Deployment", Deployment.class,
            "apps/v1/StatefulSet", StatefulSet.class,
            "batch/v1/Job", Job.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class);

    private static final ObjectMapper STRICT = strictMapper();

    private Manifests() {}

    /** One document of a manifest file, parsed. */
    public record Manifest(String file, int document, HasMetadata resource) {
        /** Returns {@code file, document n (Kind name)}. */
        public String where() {
            return file + ", document " + document + " (" + resource.getKind() + " " + resource.getMetadata().getName() + ")";
        }
    }

    static ObjectMapper strictMapper() {
        SimpleModule strict = new SimpleModule("strict-kubernetes-model");
        strict.setDeserializerModifier(new BeanDeserializerModifier() {
            @Override
            public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription bean, BeanDeserializerBuilder builder) {
                // The model's @JsonAnySetter would swallow a misspelt field into additionalProperties.
                builder.setAnySetter(null);
                builder.setIgnoreUnknownProperties(false);
                return builder;
            }
        });
        YAMLFactory yaml = YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
        return YAMLMapper.builder(yaml)
                .addModule(strict)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();
    }

    /**
     * Parses every {@code .yaml}/{@code .yml} file of a directory.
     *
     * @param dir the directory
     * @param root what the files' names are shown relative to
     * @return the documents, file by file in name order
     * @throws ManifestException at the first document that does not parse strictly
     */
    public static List<Manifest> load(Path dir, Path root) {
        List<Manifest> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList()) {
                all.addAll(parse(root.relativize(f).toString(), Files.readString(f)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": " + e.getMessage(), e);
        }
        return all;
    }

    /**
     * Parses the documents of one manifest file.
     *
     * @param file the file's name, for messages
     * @param text its contents
     * @return its documents (empty ones, such as a comment alone, are left out)
     * @throws ManifestException naming the file, the document, the field and its line if one does not parse strictly
     */
    public static List<Manifest> parse(String file, String text) {
        List<Manifest> out = new ArrayList<>();
        List<String> lines = text.lines().toList();
        int first = 0;
        int document = 0;
        for (int i = 0; i <= lines.size(); i++) {
            if (i == lines.size() || lines.get(i).matches("---\\s*")) {
                document++;
                Manifest m = parseDocument(file, document, first, String.join("\n", lines.subList(first, i)));
                if (m != null) {
                    out.add(m);
                }
                first = i + 1;
            }
        }
        return out;
    }

    /** Parses one document whose first line is line {@code offset + 1} of the file; null if it holds nothing. */
    private static Manifest parseDocument(String file, int document, int offset, String text) {
        String where = file + ", document " + document;
        try {
            JsonNode node = STRICT.readTree(text);
            if (node == null || node.isNull() || node.isMissingNode()) {
                return null;
            }
            String type = node.path("apiVersion").asText("?") + "/" + node.path("kind").asText("?");
            Class<? extends HasMetadata> cls = KINDS.get(type);
            if (cls == null) {
                throw new ManifestException(where + ": apiVersion/kind " + type + " (expected: one of " + new TreeSet<>(KINDS.keySet()) + ")");
            }
            where += " (" + type + ")";
            HasMetadata resource = STRICT.readValue(text, cls);
            if (resource.getMetadata() == null || resource.getMetadata().getName() == null) {
                throw new ManifestException(where + ": metadata.name: absent (expected: a name)");
            }
            return new Manifest(file, document, resource);
        } catch (JsonProcessingException e) {
            throw new ManifestException(where + ": " + describe(e, offset), e);
        }
    }

    /** Jackson's failure as the field's path, what is wrong and the line in the file. */
    private static String describe(JsonProcessingException e, int offset) {
        String path = "";
        if (e instanceof JsonMappingException m) {
            path = m.getPath().stream().map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining()).replaceFirst("^\\.", "");
        }
        String what = e instanceof UnrecognizedPropertyException u
                ? "unknown field (expected: one of " + new TreeSet<>(u.getKnownPropertyIds().stream().map(String::valueOf).toList()) + ")"
                : e.getOriginalMessage();
        JsonLocation at = e.getLocation();
        return (path.isEmpty() ? "" : path + ": ") + what + (at != null && at.getLineNr() > 0 ? " (line " + (offset + at.getLineNr()) + ")" : "");
    }
}
