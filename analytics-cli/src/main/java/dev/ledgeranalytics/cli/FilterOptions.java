package dev.ledgeranalytics.cli;

import dev.ledgeranalytics.query.Granularity;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.RequestStatus;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Which rows a command reads, in the terms of {@link LedgerFilter}. */
final class FilterOptions {

    @Option(
            names = "--from",
            paramLabel = "DATE|INSTANT",
            description = "First day (in --zone) or instant included (default: 30 days before --to)")
    String from;

    @Option(
            names = "--to",
            paramLabel = "DATE|INSTANT",
            description = "First day (in --zone) or instant excluded (default: now)")
    String to;

    @Option(
            names = "--zone",
            paramLabel = "ZONE",
            defaultValue = "UTC",
            description = "IANA time zone for days, buckets and printed times (default: ${DEFAULT-VALUE})")
    String zone;

    @Option(
            names = "--granularity",
            paramLabel = "UNIT",
            defaultValue = "DAY",
            description = "Trend buckets: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    Granularity granularity;

    @Option(
            names = "--status",
            paramLabel = "STATUS",
            split = ",",
            description = "Statuses to include: ${COMPLETION-CANDIDATES} (default: SUCCESS)")
    List<RequestStatus> statuses = new ArrayList<>();

    @Option(names = "--provider", paramLabel = "SLUG", split = ",", description = "Only these providers")
    List<String> providers;

    @Option(names = "--model", paramLabel = "ID", split = ",", description = "Only these models")
    List<String> models;

    @Option(names = "--tier", paramLabel = "TIER", split = ",", description = "Only these user tiers")
    List<String> tiers;

    @Option(names = "--request-type", paramLabel = "TYPE", split = ",", description = "Only these request types")
    List<String> requestTypes;

    ZoneId zone() {
        return zone(zone);
    }

    static ZoneId zone(String value) {
        try {
            return ZoneId.of(value);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(
                    "--zone must be an IANA time zone such as Europe/Berlin, but was \"" + value + "\"", e);
        }
    }

    LedgerFilter filter(Instant now) {
        ZoneId zoneId = zone();
        Instant end = to == null ? now.truncatedTo(ChronoUnit.SECONDS) : instant("--to", to, zoneId);
        Instant start = from == null ? end.minus(Duration.ofDays(30)) : instant("--from", from, zoneId);
        LedgerFilter filter = LedgerFilter.between(start, end);
        if (!statuses.isEmpty()) {
            filter = filter.statuses(statuses);
        }
        if (providers != null) {
            filter = filter.providers(providers);
        }
        if (models != null) {
            filter = filter.models(models);
        }
        if (tiers != null) {
            filter = filter.tiers(tiers);
        }
        if (requestTypes != null) {
            filter = filter.requestTypes(requestTypes);
        }
        return filter;
    }

    private static Instant instant(String option, String value, ZoneId zone) {
        try {
            return value.length() <= 10
                    ? LocalDate.parse(value).atStartOfDay(zone).toInstant()
                    : Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    option + " must be a date such as 2026-10-01 or an instant such as "
                            + "2026-10-01T00:00:00Z, but was \"" + value + "\"",
                    e);
        }
    }
}
