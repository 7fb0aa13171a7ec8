package dev.batcher.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batcher.api.SourceConfig;
import dev.batcher.api.MaterializeOptions;
import dev.batcher.api.BatchSpec;
import dev.batcher.api.ChannelSelection;
import dev.batcher.api.ItemSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JSON form of specs and statuses: every source kind and the options round-trip equal. */
class BatcherJsonTest {
    private static final MaterializeOptions OPTIONS = MaterializeOptions.defaults()
            .withTargetRate(128.0).withNormalize(true).withFeaturizer("stft", List.of("256", "hann"));

    private static BatcherSpec roundTrip(BatcherSpec spec) {
        String text = BatcherJson.write(spec);
        BatcherSpec viaText = BatcherJson.read(text, BatcherSpec.class);
        BatcherSpec viaTree = BatcherJson.fromTree(BatcherJson.toTree(spec), BatcherSpec.class);
        assertEquals(text, BatcherJson.write(viaTree), "tree and text forms agree");
        return viaText;
    }

    @Test
    void batcherSpec_sequentialSourceWithOptions_roundTripsEqual() {
        BatcherSpec spec = BatcherSpec.of("/data/sleep", new SourceConfig.Sequential(64, 30, "names:C3,C4"))
                .withOptions(OPTIONS).withCapacity(7).withRetries(2);
        assertEquals(spec, roundTrip(spec));
        JsonNode tree = BatcherJson.toTree(spec);
        assertEquals("sequential", tree.at("/source/type").asText());
        assertEquals(128.0, tree.at("/options/targetRateHz").asDouble());
        assertEquals("hann", tree.at("/options/featurizerArguments/1").asText());
    }

    @Test
    void batcherSpec_randomSourceWithoutWeights_roundTripsEqual() {
        BatcherSpec spec = BatcherSpec.of("/data/sleep", new SourceConfig.Random(32, 30, 2, null, null, null));
        BatcherSpec back = roundTrip(spec);
        assertEquals(spec, back);
        assertEquals(MaterializeOptions.defaults(), back.options());
        assertEquals("random", BatcherJson.toTree(spec).at("/source/type").asText());
        assertTrue(BatcherJson.toTree(spec).path("capacity").isMissingNode(), "nulls are left out");
    }

    @Test
    void batcherSpec_randomSourceWithWeights_roundTripsEveryWeight() {
        // Records compare arrays by identity, so the weights are compared element by element.
        SourceConfig.Random random = new SourceConfig.Random(8, 60, null, "all", new double[] {1, 0.5},
                List.of(new double[] {1, 2, 3}, new double[] {0.25}));
        BatcherSpec back = roundTrip(BatcherSpec.of("/d", random).withOptions(OPTIONS));
        SourceConfig.Random read = assertInstanceOf(SourceConfig.Random.class, back.source());
        assertEquals(8, read.batchSize());
        assertEquals(60.0, read.batchSeconds());
        assertEquals(null, read.numChannels());
        assertEquals("all", read.channels());
        assertArrayEquals(random.signalWeights(), read.signalWeights());
        assertEquals(2, read.labelWeights().size());
        assertArrayEquals(random.labelWeights().get(0), read.labelWeights().get(0));
        assertArrayEquals(random.labelWeights().get(1), read.labelWeights().get(1));
        assertEquals(OPTIONS, back.options());
    }

    @Test
    void batcherSpec_shardedSource_roundTripsEqual() {
        BatcherSpec spec = BatcherSpec.of("/data/sleep", new SourceConfig.Sharded(1, 4, "drop",
                new SourceConfig.Sequential(64, 30, "names:C3,C4")));
        assertEquals(spec, roundTrip(spec));
        JsonNode tree = BatcherJson.toTree(spec);
        assertEquals("sharded", tree.at("/source/type").asText());
        assertEquals(4, tree.at("/source/worldSize").asInt());
        assertEquals("sequential", tree.at("/source/source/type").asText());
    }

    @Test
    void batcherSpec_specListSource_roundTripsEqual() {
        ItemSpec item = new ItemSpec("r1", "a.h5", "/signal", 7680, 7680,
                ChannelSelection.names(List.of("C3", "C4")), "/labels", 1, 1, 0);
        ItemSpec other = new ItemSpec("r2", "b.h5", "/signal", 0, 3840, ChannelSelection.all(),
                "/labels", 0, 2, 1);
        BatcherSpec spec = BatcherSpec.of("/data/sleep", new SourceConfig.Specs(List.of(
                new BatchSpec(List.of(item, other)), new BatchSpec(List.of(other)))))
                .withOptions(OPTIONS).withRetries(0);
        assertEquals(spec, roundTrip(spec));
        assertEquals("specs", BatcherJson.toTree(spec).at("/source/type").asText());
    }

    @Test
    void batcherStatus_withFailure_roundTripsEqual() {
        Failure failure = new Failure("java.io.UncheckedIOException", "read failed", "at x\nat y", "w1",
                "seed=1,batch=8", "recording r1, file a.h5", 5);
        BatcherStatus status = new BatcherStatus("train", Status.FAILED, failure, "seed=1,batch=8", 9, 8,
                1, 2, 5, 4, 1, 0, 3, 6, true, 12.5, 0.75, 2, 0, 0, 0, 0);
        String text = BatcherJson.write(status);
        assertTrue(text.contains("\"status\":\"FAILED\""), text);
        assertEquals(status, BatcherJson.read(text, BatcherStatus.class));
        assertEquals(status, BatcherJson.fromTree(BatcherJson.toTree(status), BatcherStatus.class));
    }

    @Test
    void read_unknownFields_areIgnored() {
        BatcherStatus status = BatcherJson.read("{\"name\":\"a\",\"status\":\"RUNNING\",\"future\":[1]}",
                BatcherStatus.class);
        assertEquals("a", status.name());
        assertEquals(Status.RUNNING, status.status());
    }

    @Test
    void read_invalidSpec_throwsNamingTheFieldTheValueAndTheExpectation() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BatcherJson.read(
                "{\"dataset\":\"/d\",\"source\":{\"type\":\"sequential\",\"batchSize\":2,"
                        + "\"batchSeconds\":30},\"capacity\":0}", BatcherSpec.class));
        assertEquals("capacity: 0 (expected: >= 1)", e.getMessage());
        IllegalArgumentException kind = assertThrows(IllegalArgumentException.class, () -> BatcherJson.read(
                "{\"dataset\":\"/d\",\"source\":{\"type\":\"shuffled\"}}", BatcherSpec.class));
        assertEquals("source.type: \"shuffled\" (expected: one of random, sequential, specs, sharded)", kind.getMessage());
        IllegalArgumentException malformed = assertThrows(IllegalArgumentException.class,
                () -> BatcherJson.read("{\"dataset\": \"/d\",\n }", BatcherSpec.class));
        assertTrue(malformed.getMessage().startsWith("json: malformed at line 2, column 2 (expected: well-formed JSON: "),
                malformed.getMessage());
    }

    /** Every kind of mistake reads in our form, with no parser internals (issue 10, item 9). */
    @Test
    void read_mistakes_reportFieldValueAndExpectationWithoutParserInternals() {
        String[][] cases = {
            {"{\"dataset\":\"/d\",\"source\":{\"type\":\"random\",\"batchSize\":\"x\",\"batchSeconds\":30}}",
                "source.batchSize: \"x\" (expected: an integer)"},
            {"{\"dataset\":\"/d\",\"source\":{\"batchSize\":8}}",
                "source.type: missing (expected: one of random, sequential, specs, sharded)"},
            {"{\"dataset\":\"/d\",\"source\":{\"type\":\"random\",\"batchSize\":8,\"batchSeconds\":[30]}}",
                "source.batchSeconds: [30] (expected: a number)"},
            {"{\"dataset\":\"/d\",\"source\":{\"type\":\"specs\",\"specs\":[{\"items\":[{\"recording\":\"r\","
                    + "\"file\":\"a.h5\",\"signal\":\"/s\",\"sampleStart\":0,\"sampleCount\":0,\"channels\":\"all\","
                    + "\"labels\":\"/l\",\"labelStart\":0,\"labelCount\":1,\"labelSkip\":0}]}]}}",
                "source.specs[0].items[0].sampleCount: 0 (expected: > 0)"},
            {"{\"dataset\":\"/d\",\"source\":{\"type\":\"specs\",\"specs\":[{\"items\":[{"
                    + "\"file\":\"a.h5\",\"signal\":\"/s\",\"sampleStart\":0,\"sampleCount\":1,\"channels\":\"all\","
                    + "\"labels\":\"/l\",\"labelStart\":0,\"labelCount\":1,\"labelSkip\":0}]}]}}",
                "source.specs[0].items[0].recording: missing (expected: a value)"},
            {"{\"dataset\":\"/d\",\"source\":{\"type\":\"sequential\",\"batchSize\":2,\"batchSeconds\":30},"
                    + "\"options\":{\"normalize\":\"yes\"}}",
                "options.normalize: \"yes\" (expected: true or false)"},
            {"[1, 2]", "json: [1,2] (expected: an object with the fields dataset, source, options, capacity, retries)"},
        };
        for (String[] c : cases) {
            InvalidJsonException e = assertThrows(InvalidJsonException.class, () -> BatcherJson.read(c[0], BatcherSpec.class));
            assertEquals(c[1], e.getMessage(), c[0]);
            assertTrue(!e.getMessage().contains("Source") && !e.getMessage().contains("dev.batcher")
                    && !e.getMessage().contains("through reference chain"), e.getMessage());
        }
    }

    @Test
    void readFile_misspeltField_isAnErrorNamingTheFileAndTheKnownFields(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = dir.resolve("source.json");
        java.nio.file.Files.writeString(file, "{\"type\": \"random\", \"batchsize\": 8, \"batchSeconds\": 30}");
        InvalidJsonException e = assertThrows(InvalidJsonException.class, () -> BatcherJson.readFile(file, SourceConfig.class));
        assertEquals(file + ": batchsize: 8 (expected: one of the fields batchSize, batchSeconds, numChannels, channels, "
                + "signalWeights, labelWeights, signals)", e.getMessage());
        java.nio.file.Files.writeString(file, "{\"type\": \"random\", \"batchSize\": 8, \"batchSeconds\": 30}");
        assertEquals(new SourceConfig.Random(8, 30, null, null, null, null), BatcherJson.readFile(file, SourceConfig.class));
    }

    /** The explicit specs source takes channels as text ("fill:C3") as everywhere else, or as an object (item 10). */
    @Test
    void read_specsSourceChannels_acceptsTheTextAndTheObjectForm() {
        String item = "{\"recording\":\"r\",\"file\":\"a.h5\",\"signal\":\"/s\",\"sampleStart\":0,\"sampleCount\":10,"
                + "\"channels\":%s,\"labels\":\"/l\",\"labelStart\":0,\"labelCount\":1,\"labelSkip\":0}";
        for (String channels : new String[] {"\"fill:C3,O1\"", "{\"selector\":\"fill\",\"arguments\":[\"C3\",\"O1\"]}"}) {
            SourceConfig.Specs specs = assertInstanceOf(SourceConfig.Specs.class, BatcherJson.read(
                    "{\"type\":\"specs\",\"specs\":[{\"items\":[" + String.format(item, channels) + "]}]}", SourceConfig.class));
            assertEquals(ChannelSelection.parse("fill:C3,O1"), specs.specs().get(0).items().get(0).channels(), channels);
        }
        assertEquals(ChannelSelection.all(), BatcherJson.read("\"all\"", ChannelSelection.class));
        assertEquals(ChannelSelection.all(), BatcherJson.read("{\"selector\":\"all\"}", ChannelSelection.class));
    }

    @Test
    void mapper_isACopy() {
        BatcherJson.mapper().disable(com.fasterxml.jackson.databind.SerializationFeature.WRAP_EXCEPTIONS);
        assertEquals("{\"a\":1}", BatcherJson.write(java.util.Map.of("a", 1)));
    }
}
