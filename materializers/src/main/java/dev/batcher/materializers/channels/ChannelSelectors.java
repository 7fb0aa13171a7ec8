package dev.batcher.materializers.channels;

import dev.batcher.api.ChannelKind;
import dev.batcher.api.ChannelSelection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plans channel selections: turns a {@link ChannelSelection} and a signal's channel list into a
 * {@link ChannelPlan}. Built-in selectors:
 *
 * <ul>
 *   <li>{@code all}: every channel, in stored order; takes no arguments;
 *   <li>{@code names:A,B,...}: the named channels in the given order (a name may repeat); a missing
 *       channel is an error naming it and listing the available ones;
 *   <li>{@code fill:A,B,...}: the same, but a missing channel becomes a row of zeros;
 *   <li>{@code montage:D1,D2,...}: derived channels, each a linear combination of channels such as
 *       {@code C3-M2}, {@code Cz-(M1+M2)/2}, {@code 0.5*C3+0.5*C4} or {@code -2.5e-1*(F3+F4)}; an
 *       optional {@code name=} prefix names the output ({@code EOG=E1-E2}), otherwise the output is
 *       named after the expression without white space. A channel whose name is not an identifier
 *       (letters, digits, {@code _} and {@code .}, not starting with a digit) is written in double
 *       quotes or square brackets: {@code [EEG Fpz-Cz]-[EEG Pz-Oz]}. Products need a constant
 *       factor, divisors must be non-zero constants, and constant terms are not allowed;
 *   <li>{@code kind:K1,K2,...}: every channel whose kind (its name's first word, as EDF labels such as
 *       {@code EEG Fpz-Cz} say, see {@link ChannelKind}) is one of the given ones, in stored order;
 *       none is an error.
 * </ul>
 *
 * Channel names match exactly (case-sensitive); a name the signal holds more than once cannot be
 * selected by name. Any other selector name is looked up among the {@link ChannelSelectorProvider}s
 * that {@link ServiceLoader} finds (built-in names always win).
 *
 * <p>A montage's {@code [outputs x inputs]} matrix is built and validated with ojalgo: a derivation
 * that is identically zero ({@code C3-C3}) is an error; the rank (from a singular value
 * decomposition) is informational, shown by the plan's {@code toString()} and logged at debug
 * level, since derivations that depend on each other are common and harmless. Each row is then
 * applied as its non-zero terms, in ascending stored-channel order, with {@link
 * dev.batcher.materializers.kernels.Kernels#combine}.
 *
 * <p>Plans are cached per (selection, channel list) in a bounded ({@value #CACHE_CAPACITY} entries),
 * thread-safe, least-recently-used cache; failures are not cached. All methods are thread-safe.
 */
public final class ChannelSelectors {
    /** The built-in selector names. */
    public static final List<String> BUILT_INS = List.of("all", "names", "fill", "montage", "kind");
    /** How many plans the cache keeps. */
    public static final int CACHE_CAPACITY = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(ChannelSelectors.class);
    private static final PlanCache CACHE = new PlanCache(CACHE_CAPACITY);

    private ChannelSelectors() {}

    private record Key(ChannelSelection selection, List<String> channels) {}

    /**
     * Returns the plan for a selection over a signal's channels, from the cache if it was planned
     * before.
     *
     * @param selection the selection
     * @param availableChannels the signal's channel names, in stored order
     * @return the plan
     * @throws NullPointerException if {@code selection}, {@code availableChannels} or one of its
     *     names is null
     * @throws ChannelSelectionException if the selector is unknown, its arguments are wrong or do
     *     not fit the channels (a missing or ambiguous channel, a malformed or zero derivation), or a
     *     provider fails or returns an invalid plan
     */
    public static ChannelPlan plan(ChannelSelection selection, List<String> availableChannels) {
        Objects.requireNonNull(selection, "selection");
        List<String> available = List.copyOf(Objects.requireNonNull(availableChannels, "availableChannels"));
        Key key = new Key(selection, available);
        ChannelPlan cached = CACHE.get(key);
        if (cached != null) {
            return cached;
        }
        return CACHE.putIfAbsent(key, planUncached(selection, available));
    }

    /**
     * Returns every selector name that {@link #plan} accepts: the built-ins, then the providers'
     * names in the order {@link ServiceLoader} found them.
     *
     * <p>If the providers fail to load, this lists the built-ins only; the failure is reported by
     * {@link #plan} when a selection needs a provider.
     *
     * @return the selector names
     */
    public static List<String> selectorNames() {
        List<String> names = new ArrayList<>(BUILT_INS);
        names.addAll(Providers.BY_NAME.keySet());
        return Collections.unmodifiableList(names);
    }

    /** The number of cached plans (for tests). */
    static int cacheSize() {
        return CACHE.size();
    }

    /** Empties the cache (for tests). */
    static void clearCache() {
        CACHE.clear();
    }

    private static ChannelPlan planUncached(ChannelSelection selection, List<String> available) {
        ChannelIndex index = new ChannelIndex(selection, available);
        switch (selection.selector()) {
            case "all":
                return all(selection, available);
            case "names":
                return named(selection, available, index, false);
            case "fill":
                return named(selection, available, index, true);
            case "montage":
                requireArguments(selection, available, "derivations such as C3-M2");
                return MontagePlan.build(selection, available, index);
            case "kind":
                return kind(selection, available);
            default:
                return provided(selection, available);
        }
    }

    private static ChannelPlan all(ChannelSelection selection, List<String> available) {
        if (!selection.arguments().isEmpty()) {
            throw new ChannelSelectionException("selector 'all' takes no arguments, got " + selection.arguments(),
                    selection, null, available);
        }
        int[] inputs = new int[available.size()];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = i;
        }
        return new CopyPlan("all", available, inputs, inputs);
    }

    /** Every channel whose kind (its name's first word, see {@link ChannelKind}) is among the arguments, in stored order. */
    private static ChannelPlan kind(ChannelSelection selection, List<String> available) {
        requireArguments(selection, available, "channel kinds such as EEG or EOG (the first word of EDF labels)");
        List<Integer> inputs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int c = 0; c < available.size(); c++) {
            if (ChannelKind.isOneOf(available.get(c), selection.arguments())) {
                inputs.add(c);
                names.add(available.get(c));
            }
        }
        if (inputs.isEmpty()) {
            throw new ChannelSelectionException("no channel of kind " + selection.arguments() + " (expected: at least one "
                    + "channel whose name starts with one of those words, such as 'EEG Fpz-Cz')", selection, null, available);
        }
        int[] in = inputs.stream().mapToInt(Integer::intValue).toArray();
        int[] rows = new int[in.length];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = r;
        }
        return new CopyPlan("kind", names, in, rows);
    }

    private static ChannelPlan named(ChannelSelection selection, List<String> available, ChannelIndex index,
            boolean fill) {
        requireArguments(selection, available, "channel names");
        List<String> names = selection.arguments();
        int[] channelOfRow = new int[names.size()];
        boolean[] used = new boolean[available.size()];
        for (int r = 0; r < names.size(); r++) {
            String name = names.get(r);
            channelOfRow[r] = fill ? index.findOrMissing(name, "") : index.find(name, "");
            if (channelOfRow[r] >= 0) {
                used[channelOfRow[r]] = true;
            }
        }
        int[] positionOf = new int[available.size()];
        List<Integer> inputs = new ArrayList<>();
        for (int c = 0; c < used.length; c++) {
            if (used[c]) {
                positionOf[c] = inputs.size();
                inputs.add(c);
            }
        }
        int[] rowSources = new int[names.size()];
        for (int r = 0; r < rowSources.length; r++) {
            rowSources[r] = channelOfRow[r] < 0 ? -1 : positionOf[channelOfRow[r]];
        }
        return new CopyPlan(selection.selector(), names, inputs.stream().mapToInt(Integer::intValue).toArray(),
                rowSources);
    }

    private static void requireArguments(ChannelSelection selection, List<String> available, String what) {
        if (selection.arguments().isEmpty()) {
            throw new ChannelSelectionException("selector '" + selection.selector() + "' needs arguments (expected: "
                    + what + ", as in " + selection.selector() + ":A,B)", selection, null, available);
        }
        for (int a = 0; a < selection.arguments().size(); a++) {
            if (selection.arguments().get(a).isBlank()) {
                throw new ChannelSelectionException("argument " + (a + 1) + " is blank (expected: " + what + ")",
                        selection, null, available);
            }
        }
    }

    private static ChannelPlan provided(ChannelSelection selection, List<String> available) {
        String name = selection.selector();
        if (Providers.FAILURE != null) {
            throw new ChannelSelectionException("selector '" + name + "' is not built in, and the "
                    + ChannelSelectorProvider.class.getSimpleName() + "s could not be loaded: "
                    + Providers.FAILURE.getMessage(), selection, null, available, Providers.FAILURE);
        }
        List<String> conflict = Providers.CONFLICTS.get(name);
        if (conflict != null) {
            throw new ChannelSelectionException("selector '" + name + "' is provided by more than one "
                    + ChannelSelectorProvider.class.getSimpleName() + ": " + conflict, selection, null, available);
        }
        ChannelSelectorProvider provider = Providers.BY_NAME.get(name);
        if (provider == null) {
            throw new ChannelSelectionException("unknown selector '" + name + "' (expected: a built-in " + BUILT_INS
                    + " or a " + ChannelSelectorProvider.class.getSimpleName() + " found by ServiceLoader "
                    + List.copyOf(Providers.BY_NAME.keySet()) + ")", selection, null, available);
        }
        String who = "selector '" + name + "' (" + provider.getClass().getName() + ")";
        ChannelPlan plan;
        try {
            plan = provider.plan(available, selection.arguments());
        } catch (ChannelSelectionException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ChannelSelectionException(who + " failed: " + e, selection, null, available, e);
        }
        String problem = invalidity(plan, available.size());
        if (problem != null) {
            throw new ChannelSelectionException(who + " returned an invalid plan: " + problem, selection, null,
                    available);
        }
        return plan;
    }

    /** Why a provider's plan breaks the {@link ChannelPlan} contract, or null if it does not. */
    private static String invalidity(ChannelPlan plan, int channels) {
        if (plan == null) {
            return "null";
        }
        List<String> names = plan.outputNames();
        if (names == null || names.size() != plan.outputChannels()) {
            return "outputChannels() " + plan.outputChannels() + " but outputNames() " + names;
        }
        int[] inputs = plan.inputs();
        if (inputs == null) {
            return "inputs() is null";
        }
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] < 0 || inputs[i] >= channels || (i > 0 && inputs[i] <= inputs[i - 1])) {
                return "inputs() " + java.util.Arrays.toString(inputs)
                        + " (expected: ascending, distinct indices in [0, " + channels + "))";
            }
        }
        return null;
    }

    /** The providers ServiceLoader finds, loaded once, on first need. */
    private static final class Providers {
        static final Map<String, ChannelSelectorProvider> BY_NAME = new LinkedHashMap<>();
        static final Map<String, List<String>> CONFLICTS = new LinkedHashMap<>();
        static final ServiceConfigurationError FAILURE;

        static {
            ServiceConfigurationError failure = null;
            try {
                for (ChannelSelectorProvider p : ServiceLoader.load(ChannelSelectorProvider.class,
                        ChannelSelectors.class.getClassLoader())) {
                    String name = p.name();
                    if (name == null || name.isBlank()) {
                        LOG.warn("ignoring {} {}: it has no name", ChannelSelectorProvider.class.getSimpleName(),
                                p.getClass().getName());
                        continue;
                    }
                    if (BUILT_INS.contains(name)) {
                        LOG.warn("ignoring {} {}: its name '{}' is a built-in selector",
                                ChannelSelectorProvider.class.getSimpleName(), p.getClass().getName(), name);
                        continue;
                    }
                    ChannelSelectorProvider old = BY_NAME.putIfAbsent(name, p);
                    if (old != null) {
                        CONFLICTS.computeIfAbsent(name, n -> new ArrayList<>(List.of(old.getClass().getName())))
                                .add(p.getClass().getName());
                    }
                }
            } catch (ServiceConfigurationError e) {
                failure = e;
                BY_NAME.clear();
            }
            FAILURE = failure;
        }
    }
}
