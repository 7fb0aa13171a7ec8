package dev.batcher.materializers.annotations;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads the sleep stages of an NSRR annotation file ({@code *-nsrr.xml}): the {@code ScoredEvent}s
 * under {@code ScoredEvents} whose {@code EventType} is {@code Stages|Stages}. Each becomes an
 * {@link Annotation} with the {@code EventConcept} as text ({@code Stage 2 sleep|2}), {@code Start}
 * as onset and {@code Duration} as duration, in seconds from the start of the EDF. Other events
 * (arousals, desaturations, the {@code Recording Start Time} event) are not stages and are not
 * returned.
 *
 * <p>The file is read with a streaming (StAX) parser, holding one event at a time, that refuses DTDs
 * and external entities.
 */
public final class NsrrXml {
    /** The {@code EventType} of sleep stage events. */
    public static final String STAGES = "Stages|Stages";

    private NsrrXml() {
    }

    /**
     * Reads the stage events of an NSRR XML file.
     *
     * @param in the file's bytes, not closed here
     * @param source what to call the file in messages
     * @return the stage events in file order
     * @throws AnnotationException if the XML is malformed or has a DTD, or a stage event lacks an
     *     {@code EventConcept} or {@code Start}, or a time is not a number (naming the event and line)
     */
    public static List<Annotation> stages(InputStream in, String source) {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        List<Annotation> out = new ArrayList<>();
        XMLStreamReader r = null;
        try {
            r = factory.createXMLStreamReader(in);
            int event = 0;
            boolean inEvents = false;
            while (r.hasNext()) {
                int next = r.next();
                if (next == XMLStreamConstants.DTD) {
                    throw new AnnotationException(source + " line " + r.getLocation().getLineNumber()
                            + ": a DTD (expected: none; NSRR files have none, and DTDs are refused for safety)");
                }
                if (next == XMLStreamConstants.START_ELEMENT) {
                    String name = r.getLocalName();
                    if (name.equals("ScoredEvents")) {
                        inEvents = true;
                    } else if (inEvents && name.equals("ScoredEvent")) {
                        int line = r.getLocation().getLineNumber();
                        Map<String, String> fields = fields(r);
                        String where = "ScoredEvent " + event + " (line " + line + ")";
                        event++;
                        if (STAGES.equals(fields.getOrDefault("EventType", "").strip())) {
                            out.add(stage(fields, source, where));
                        }
                    }
                } else if (next == XMLStreamConstants.END_ELEMENT && r.getLocalName().equals("ScoredEvents")) {
                    inEvents = false;
                }
            }
        } catch (XMLStreamException e) {
            throw new AnnotationException(source + ": not well-formed XML: " + e.getMessage()
                    + " (expected: an NSRR annotation file with ScoredEvents/ScoredEvent elements)", e);
        } finally {
            close(r);
        }
        return out;
    }

    private static Annotation stage(Map<String, String> fields, String source, String where) {
        String concept = fields.get("EventConcept");
        if (concept == null || concept.isBlank()) {
            throw new AnnotationException(source + ", " + where + ": EventConcept: missing (expected: a stage such as 'Stage 2 sleep|2')");
        }
        String start = fields.get("Start");
        if (start == null) {
            throw new AnnotationException(source + ", " + where + ": Start: missing (expected: seconds from the start of the EDF)");
        }
        long onset = Seconds.parse(start, source + ", " + where, "Start");
        String d = fields.get("Duration");
        long duration = Annotation.NO_DURATION;
        if (d != null) {
            duration = Seconds.parse(d, source + ", " + where, "Duration");
            if (duration < 0) {
                throw new AnnotationException(source + ", " + where + ": Duration: '" + d + "' (expected: >= 0 seconds)");
            }
        }
        return new Annotation(onset, duration, concept.strip(), source, where);
    }

    /**
     * Collects the text of the direct children of the current element (the text of deeper elements is
     * left out), leaving the reader at the element's end.
     */
    private static Map<String, String> fields(XMLStreamReader r) throws XMLStreamException {
        Map<String, String> fields = new HashMap<>();
        int depth = 1;
        String child = null;
        StringBuilder text = new StringBuilder();
        while (depth > 0) {
            int next = r.next();
            if (next == XMLStreamConstants.START_ELEMENT) {
                depth++;
                if (depth == 2) {
                    child = r.getLocalName();
                    text.setLength(0);
                }
            } else if (next == XMLStreamConstants.END_ELEMENT) {
                if (depth == 2) {
                    fields.putIfAbsent(child, text.toString());
                }
                depth--;
            } else if (depth == 2 && (next == XMLStreamConstants.CHARACTERS || next == XMLStreamConstants.CDATA)) {
                text.append(r.getText());
            }
        }
        return fields;
    }

    private static void close(XMLStreamReader r) {
        if (r != null) {
            try {
                r.close();
            } catch (XMLStreamException e) {
                // Nothing was returned from a reader that failed to close; the stream is the caller's.
            }
        }
    }
}
