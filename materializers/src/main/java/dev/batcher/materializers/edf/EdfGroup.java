package dev.batcher.materializers.edf;

import dev.batcher.materializers.metadata.SampleType;
import dev.batcher.materializers.metadata.SignalInfo;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * The signals of one EDF/BDF file that share a sample rate: one signal dataset, named by its rate
 * ({@link EdfHeader#groupName}). When every channel has the same resolution and offset (as float32) the
 * group is stored as read (int16 for EDF, the 24-bit integers as float32 for BDF, which holds them
 * exactly) and decoded later with that resolution and offset; otherwise the reader decodes each
 * channel with its own ({@code raw * res_c + off_c} in float32) and the group is float32 with
 * resolution 1 and offset 0.
 *
 * @param info the dataset's description
 * @param signals the header indices of its channels, in header order
 * @param decoded whether the reader decodes each channel itself
 * @param resolutions each channel's resolution, as float32
 * @param offsets each channel's offset, as float32
 */
record EdfGroup(SignalInfo info, int[] signals, boolean decoded, float[] resolutions, float[] offsets) {

    /** Returns the groups of a header, highest rate first; the annotation signal is in none. */
    static List<EdfGroup> of(EdfHeader header) {
        TreeMap<Double, List<Integer>> byRate = new TreeMap<>((a, b) -> Double.compare(b, a));
        for (int i = 0; i < header.signals().size(); i++) {
            EdfHeader.Signal s = header.signals().get(i);
            if (!s.annotations()) {
                byRate.computeIfAbsent(s.samplesPerRecord() / header.recordSeconds(), r -> new ArrayList<>()).add(i);
            }
        }
        List<EdfGroup> groups = new ArrayList<>();
        byRate.forEach((rate, indices) -> groups.add(group(header, rate, indices)));
        return groups;
    }

    private static EdfGroup group(EdfHeader header, double rate, List<Integer> indices) {
        int n = indices.size();
        int[] signals = new int[n];
        float[] res = new float[n];
        float[] off = new float[n];
        List<String> names = new ArrayList<>(n);
        Set<String> units = new LinkedHashSet<>();
        boolean uniform = true;
        for (int c = 0; c < n; c++) {
            EdfHeader.Signal s = header.signals().get(indices.get(c));
            signals[c] = indices.get(c);
            res[c] = (float) s.resolution();
            off[c] = (float) s.offset();
            names.add(s.label());
            units.add(s.unit());
            uniform &= Float.floatToIntBits(res[c]) == Float.floatToIntBits(res[0])
                    && Float.floatToIntBits(off[c]) == Float.floatToIntBits(off[0]);
        }
        EdfHeader.Signal first = header.signals().get(indices.get(0));
        long samples = header.records() * first.samplesPerRecord();
        String unit = String.join(",", units);
        SignalInfo info;
        if (uniform) {
            info = new SignalInfo(EdfHeader.groupName(rate), header.bdf() ? SampleType.FLOAT32 : SampleType.INT16, names,
                    rate, first.resolution(), first.offset(), unit, 0, samples);
        } else {
            info = new SignalInfo(EdfHeader.groupName(rate), SampleType.FLOAT32, names, rate, 1.0, 0.0, unit, 0, samples);
        }
        return new EdfGroup(info, signals, !uniform, res, off);
    }
}
