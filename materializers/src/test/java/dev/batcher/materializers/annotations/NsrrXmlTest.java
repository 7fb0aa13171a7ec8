package dev.batcher.materializers.annotations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NsrrXmlTest {
    @TempDir
    Path tmp;

    /** An NSRR annotation file as the NSRR publishes them (shhs1-200001-nsrr.xml's structure). */
    static final String SAMPLE = """
            <?xml version="1.0" encoding="UTF-8" standalone="no"?>
            <PSGAnnotation>
            <SoftwareVersion>Compumedics</SoftwareVersion>
            <EpochLength>30</EpochLength>
            <ScoredEvents>
            <ScoredEvent>
            <EventType/>
            <EventConcept>Recording Start Time</EventConcept>
            <Start>0</Start>
            <Duration>32520.0</Duration>
            <ClockTime>00.00.00 23.00.00</ClockTime>
            </ScoredEvent>
            <ScoredEvent>
            <EventType>Stages|Stages</EventType>
            <EventConcept>Wake|0</EventConcept>
            <Start>0.0</Start>
            <Duration>60.0</Duration>
            </ScoredEvent>
            <ScoredEvent>
            <EventType>Arousals|Arousals</EventType>
            <EventConcept>Arousal|Arousal ()</EventConcept>
            <Start>45.5</Start>
            <Duration>8.0</Duration>
            <SignalLocation>EEG</SignalLocation>
            </ScoredEvent>
            <ScoredEvent>
            <EventType>Stages|Stages</EventType>
            <EventConcept>Stage 2 sleep|2</EventConcept>
            <Start>60.0</Start>
            <Duration>90.0</Duration>
            </ScoredEvent>
            <ScoredEvent>
            <EventType>Respiratory|Respiratory</EventType>
            <EventConcept>SpO2 desaturation|SpO2 desaturation</EventConcept>
            <Start>100.2</Start>
            <Duration>12.1</Duration>
            <SignalLocation>SaO2</SignalLocation>
            <SpO2Nadir>89.0</SpO2Nadir>
            <SpO2Baseline>94.0</SpO2Baseline>
            </ScoredEvent>
            <ScoredEvent>
            <EventType>Stages|Stages</EventType>
            <EventConcept>Stage 3 sleep|3</EventConcept>
            <Start>150.0</Start>
            <Duration>30.0</Duration>
            </ScoredEvent>
            <ScoredEvent>
            <EventType>Stages|Stages</EventType>
            <EventConcept>Stage 4 sleep|4</EventConcept>
            <Start>180.0</Start>
            <Duration>30.0</Duration>
            </ScoredEvent>
            <ScoredEvent>
            <EventType>Stages|Stages</EventType>
            <EventConcept>REM sleep|5</EventConcept>
            <Start>210.0</Start>
            <Duration>30.0</Duration>
            </ScoredEvent>
            <ScoredEvent>
            <EventType>Stages|Stages</EventType>
            <EventConcept>Unscored|9</EventConcept>
            <Start>240.0</Start>
            <Duration>30.0</Duration>
            </ScoredEvent>
            </ScoredEvents>
            </PSGAnnotation>
            """;

    static List<Annotation> read(String xml) {
        return NsrrXml.stages(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)), "shhs1-200001-nsrr.xml");
    }

    @Test
    void stages_nsrrSample_returnsOnlyStageEvents() {
        List<Annotation> a = read(SAMPLE);
        assertEquals(List.of("Wake|0", "Stage 2 sleep|2", "Stage 3 sleep|3", "Stage 4 sleep|4", "REM sleep|5", "Unscored|9"),
                a.stream().map(Annotation::text).toList());
        assertEquals(60_000_000_000L, a.get(1).onsetNanos());
        assertEquals(90_000_000_000L, a.get(1).durationNanos());
        assertEquals("ScoredEvent 3 (line 26)", a.get(1).locator());
        assertEquals("shhs1-200001-nsrr.xml", a.get(1).source());
    }

    @Test
    void stages_externalEntity_isRefusedAndNotRead() throws Exception {
        Path secret = Files.writeString(tmp.resolve("secret.txt"), "Stage 2 sleep|2");
        String xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE PSGAnnotation [<!ENTITY x SYSTEM \"" + secret.toUri() + "\">]>\n"
                + "<PSGAnnotation><ScoredEvents><ScoredEvent><EventType>Stages|Stages</EventType>"
                + "<EventConcept>&x;</EventConcept><Start>0</Start><Duration>30</Duration></ScoredEvent></ScoredEvents></PSGAnnotation>";
        AnnotationException e = assertThrows(AnnotationException.class, () -> read(xml));
        assertTrue(e.getMessage().startsWith("shhs1-200001-nsrr.xml"), e.getMessage());
        assertTrue(!e.getMessage().contains("Stage 2 sleep"), "the entity was not expanded: " + e.getMessage());
    }

    @Test
    void stages_missingStartOrBadDuration_failsNamingTheEvent() {
        String noStart = "<PSGAnnotation><ScoredEvents>\n<ScoredEvent><EventType>Stages|Stages</EventType>"
                + "<EventConcept>Wake|0</EventConcept><Duration>30</Duration></ScoredEvent></ScoredEvents></PSGAnnotation>";
        assertEquals("shhs1-200001-nsrr.xml, ScoredEvent 0 (line 2): Start: missing (expected: seconds from the start of the EDF)",
                assertThrows(AnnotationException.class, () -> read(noStart)).getMessage());
        String badDuration = noStart.replace("<Duration>30", "<Start>0</Start><Duration>thirty");
        assertEquals("shhs1-200001-nsrr.xml, ScoredEvent 0 (line 2): Duration: 'thirty' (expected: a decimal number of seconds)",
                assertThrows(AnnotationException.class, () -> read(badDuration)).getMessage());
        String noConcept = noStart.replace("<EventConcept>Wake|0</EventConcept>", "");
        assertTrue(assertThrows(AnnotationException.class, () -> read(noConcept)).getMessage()
                .contains("EventConcept: missing"));
    }

    @Test
    void stages_malformedXml_failsNamingTheFile() {
        AnnotationException e = assertThrows(AnnotationException.class,
                () -> read("<PSGAnnotation><ScoredEvents><ScoredEvent>"));
        assertTrue(e.getMessage().startsWith("shhs1-200001-nsrr.xml: not well-formed XML: "), e.getMessage());
    }

    @Test
    void stages_eventsOutsideScoredEvents_areNotRead() {
        String xml = "<PSGAnnotation><ScoredEvent><EventType>Stages|Stages</EventType><EventConcept>Wake|0</EventConcept>"
                + "<Start>0</Start></ScoredEvent><ScoredEvents/></PSGAnnotation>";
        assertEquals(List.of(), read(xml));
    }
}
