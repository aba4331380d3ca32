package dev.ledgeranalytics.query;

import dev.ledgeranalytics.internal.Slice;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * Which ledger rows a query reads: a half-open time range {@code [from, to)} and optional
 * restrictions on status, provider, model, user, tier and request type.
 *
 * <p>Statuses default to {@link RequestStatus#SUCCESS} only. Every other restriction is absent
 * ({@code null}, meaning "any") until set; a restriction set to an empty collection, such as
 * {@code providers(List.of())}, matches nothing, so a dashboard whose user deselected every
 * provider shows zeros rather than everything.
 *
 * <pre>{@code
 * LedgerFilter lastWeek = LedgerFilter.between(now.minus(Duration.ofDays(7)), now)
 *         .providers("openai", "anthropic")
 *         .tiers("pro", "enterprise");
 * }</pre>
 *
 * @param from         the first instant included
 * @param to           the first instant excluded; after {@code from}
 * @param statuses     the statuses included; never {@code null}
 * @param providers    provider slugs included, or {@code null} for any
 * @param models       model ids included, or {@code null} for any
 * @param users        user ids included, or {@code null} for any
 * @param tiers        user tiers included, or {@code null} for any
 * @param requestTypes request types included, or {@code null} for any
 */
public record LedgerFilter(
        Instant from,
        Instant to,
        Set<RequestStatus> statuses,
        Set<String> providers,
        Set<String> models,
        Set<UUID> users,
        Set<String> tiers,
        Set<String> requestTypes) {

    /** Validates the range and copies every set, so the filter stays immutable. */
    public LedgerFilter {
        requireNonNull("from", from);
        requireNonNull("to", to);
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("from must be before to, but from = " + from + " and to = " + to);
        }
        requireWithinSupportedRange("from", from);
        requireWithinSupportedRange("to", to);
        requireNonNull("statuses", statuses);
        if (statuses.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException("statuses must not contain null, but was " + statuses);
        }
        statuses = Collections.unmodifiableSet(
                statuses.isEmpty() ? EnumSet.noneOf(RequestStatus.class) : EnumSet.copyOf(statuses));
        providers = copy("providers", providers);
        models = copy("models", models);
        users = copy("users", users);
        tiers = copy("tiers", tiers);
        requestTypes = copy("requestTypes", requestTypes);
    }

    /**
     * Successful requests in {@code [from, to)}, with no other restriction.
     *
     * @param from the first instant included
     * @param to   the first instant excluded
     * @return the filter
     * @throws IllegalArgumentException if either is {@code null} or {@code from} is not before {@code to}
     */
    public static LedgerFilter between(Instant from, Instant to) {
        return new LedgerFilter(from, to, EnumSet.of(RequestStatus.SUCCESS), null, null, null, null, null);
    }

    /**
     * The same rows over another time range.
     *
     * @param from the first instant included
     * @param to   the first instant excluded
     * @return a copy with the new range
     */
    public LedgerFilter during(Instant from, Instant to) {
        return new LedgerFilter(from, to, statuses, providers, models, users, tiers, requestTypes);
    }

    /**
     * Restricts to these statuses.
     *
     * @param statuses the statuses to include
     * @return a copy with the restriction
     */
    public LedgerFilter statuses(RequestStatus... statuses) {
        Set<RequestStatus> set = EnumSet.noneOf(RequestStatus.class);
        set.addAll(Arrays.asList(requireElements("statuses", statuses)));
        return new LedgerFilter(from, to, set, providers, models, users, tiers, requestTypes);
    }

    /**
     * Restricts to the statuses to include in a collection; an empty collection matches nothing.
     *
     * @param statuses the statuses to include
     * @return a copy with the restriction
     */
    public LedgerFilter statuses(Collection<RequestStatus> statuses) {
        if (statuses == null) {
            throw new IllegalArgumentException("statuses must not be null");
        }
        return statuses(statuses.toArray(RequestStatus[]::new));
    }

    /**
     * Includes requests of every status: successful, failed and cancelled.
     *
     * @return a copy with every status
     */
    public LedgerFilter anyStatus() {
        return new LedgerFilter(
                from, to, EnumSet.allOf(RequestStatus.class), providers, models, users, tiers, requestTypes);
    }

    /**
     * Restricts to providers with these slugs.
     *
     * @param slugs provider slugs, such as {@code "openai"}
     * @return a copy with the restriction
     */
    public LedgerFilter providers(String... slugs) {
        return new LedgerFilter(from, to, statuses, set("providers", slugs), models, users, tiers, requestTypes);
    }

    /**
     * Restricts to provider slugs in a collection; an empty collection matches nothing.
     *
     * @param slugs provider slugs
     * @return a copy with the restriction
     */
    public LedgerFilter providers(Collection<String> slugs) {
        if (slugs == null) {
            throw new IllegalArgumentException("providers must not be null");
        }
        return providers(slugs.toArray(String[]::new));
    }

    /**
     * Restricts to these model ids.
     *
     * @param modelIds model ids, such as {@code "gpt-4o"}
     * @return a copy with the restriction
     */
    public LedgerFilter models(String... modelIds) {
        return new LedgerFilter(from, to, statuses, providers, set("models", modelIds), users, tiers, requestTypes);
    }

    /**
     * Restricts to model ids in a collection; an empty collection matches nothing.
     *
     * @param modelIds model ids
     * @return a copy with the restriction
     */
    public LedgerFilter models(Collection<String> modelIds) {
        if (modelIds == null) {
            throw new IllegalArgumentException("models must not be null");
        }
        return models(modelIds.toArray(String[]::new));
    }

    /**
     * Restricts to these users.
     *
     * @param userIds the host's user ids
     * @return a copy with the restriction
     */
    public LedgerFilter users(UUID... userIds) {
        return new LedgerFilter(from, to, statuses, providers, models, set("users", userIds), tiers, requestTypes);
    }

    /**
     * Restricts to the host's user ids in a collection; an empty collection matches nothing.
     *
     * @param userIds the host's user ids
     * @return a copy with the restriction
     */
    public LedgerFilter users(Collection<UUID> userIds) {
        if (userIds == null) {
            throw new IllegalArgumentException("users must not be null");
        }
        return users(userIds.toArray(UUID[]::new));
    }

    /**
     * Restricts to requests made on these user tiers.
     *
     * @param userTiers tiers, such as {@code "pro"}
     * @return a copy with the restriction
     */
    public LedgerFilter tiers(String... userTiers) {
        return new LedgerFilter(from, to, statuses, providers, models, users, set("tiers", userTiers), requestTypes);
    }

    /**
     * Restricts to user tiers in a collection; an empty collection matches nothing.
     *
     * @param userTiers user tiers
     * @return a copy with the restriction
     */
    public LedgerFilter tiers(Collection<String> userTiers) {
        if (userTiers == null) {
            throw new IllegalArgumentException("tiers must not be null");
        }
        return tiers(userTiers.toArray(String[]::new));
    }

    /**
     * Restricts to these request types.
     *
     * @param types request types, such as {@code "chat"} or {@code "embedding"}
     * @return a copy with the restriction
     */
    public LedgerFilter requestTypes(String... types) {
        return new LedgerFilter(from, to, statuses, providers, models, users, tiers, set("requestTypes", types));
    }

    /**
     * Restricts to request types in a collection; an empty collection matches nothing.
     *
     * @param types request types
     * @return a copy with the restriction
     */
    public LedgerFilter requestTypes(Collection<String> types) {
        if (types == null) {
            throw new IllegalArgumentException("requestTypes must not be null");
        }
        return requestTypes(types.toArray(String[]::new));
    }

    /** The rows this filter selects, but for the range, in the library's internal terms. */
    Slice slice() {
        return Slice.of(statuses, providers, models, users, tiers, requestTypes);
    }

    private static <T> Set<T> set(String name, T[] values) {
        return new LinkedHashSet<>(Arrays.asList(requireElements(name, values)));
    }

    private static <T> T[] requireElements(String name, T[] values) {
        requireNonNull(name, values);
        for (T value : values) {
            if (value == null) {
                throw new IllegalArgumentException(name + " must not contain null, but was " + Arrays.toString(values));
            }
        }
        return values;
    }

    private static <T> Set<T> copy(String name, Set<T> values) {
        if (values == null) {
            return null;
        }
        if (values.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException(name + " must not contain null, but was " + values);
        }
        return Collections.unmodifiableSet(new LinkedHashSet<>(values));
    }

    /**
     * Years 1 to 9999: what every query, the previous period of {@link AnalyticsQueries#grossMargin}
     * included, can compute and PostgreSQL can store. {@link #LATEST} itself is out: instants of year
     * 10000 are written with a leading {@code +}, which PostgreSQL cannot read in the arrays of
     * instants the rollup reads bind.
     */
    static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");

    static final Instant LATEST = Instant.parse("+10000-01-01T00:00:00Z");

    static void requireWithinSupportedRange(String name, Instant value) {
        if (value.isBefore(EARLIEST) || !value.isBefore(LATEST)) {
            throw new IllegalArgumentException(name + " must lie between " + EARLIEST + " (included) and " + LATEST
                    + " (excluded): years 1 to 9999, but was " + value);
        }
    }

    private static void requireNonNull(String name, Object value) {
        if (value == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
    }
}
