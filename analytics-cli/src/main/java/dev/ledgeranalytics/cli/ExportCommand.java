package dev.ledgeranalytics.cli;

import dev.ledgeranalytics.export.CsvExporter;
import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.UserSort;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = "Write ledger rows, or one query's result, as CSV (RFC 4180) to a file or standard output.")
final class ExportCommand implements Callable<Integer> {

    /** What to export, written on the command line in kebab case: {@code provider-costs}. */
    enum What {
        LEDGER,
        GROSS_MARGIN,
        PROVIDER_COSTS,
        MARGIN_TREND,
        COST_SUMMARY,
        COST_HISTOGRAM,
        USERS
    }

    static final class WhatConverter implements ITypeConverter<What> {
        @Override
        public What convert(String value) {
            try {
                return What.valueOf(value.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("expected one of ledger, gross-margin, provider-costs, margin-trend, "
                        + "cost-summary, cost-histogram, users, but was '" + value + "'");
            }
        }
    }

    @Spec
    private CommandSpec spec;

    @Mixin
    private VerboseOption verbose;

    @Mixin
    private DatabaseOptions database;

    @Mixin
    private FilterOptions filter;

    @Option(
            names = "--what",
            defaultValue = "ledger",
            converter = WhatConverter.class,
            paramLabel = "WHAT",
            description = "What to export: ledger, gross-margin, provider-costs, margin-trend, cost-summary, "
                    + "cost-histogram or users (default: ${DEFAULT-VALUE})")
    private What what;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FILE",
            description = "Write to this file instead of standard output")
    private Path output;

    @Override
    public Integer call() throws IOException {
        LedgerFilter rows = filter.filter(Instant.now());
        if (output == null) {
            PrintWriter out = spec.commandLine().getOut();
            write(rows, out);
            // PrintWriter swallows write failures (a full disk, a closed pipe); ask, so that a
            // truncated export never exits 0.
            if (out.checkError()) {
                throw new IOException("writing to standard output failed; the export is incomplete");
            }
            return 0;
        }
        // Written beside the target and moved into place once complete, so that a failure never
        // leaves a truncated file where a good one was.
        Path target = output.toAbsolutePath();
        Path partial = target.resolveSibling("." + target.getFileName() + ".partial");
        try {
            try (Writer out = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
                write(rows, out);
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(partial);
        }
        return 0;
    }

    private void write(LedgerFilter rows, Writer out) {
        CsvExporter exporter = CsvExporter.create(database.dataSource())
                .withSchema(database.schema)
                .withZone(filter.zone());
        AnalyticsQueries queries =
                AnalyticsQueries.create(database.dataSource()).withSchema(database.schema);
        switch (what) {
            case LEDGER -> exporter.exportLedger(rows, out);
            case GROSS_MARGIN -> exporter.write(queries.grossMargin(rows), out);
            case PROVIDER_COSTS -> exporter.writeProviderCosts(queries.providerCosts(rows), out);
            case MARGIN_TREND -> exporter.write(queries.marginTrend(rows, filter.granularity, filter.zone()), out);
            case COST_SUMMARY -> exporter.writeCostSummary(queries.costDistribution(rows), out);
            case COST_HISTOGRAM -> exporter.writeCostHistogram(queries.costDistribution(rows), out);
            case USERS -> exporter.exportUsers(rows, UserSort.GROSS_MARGIN_DESC, out);
        }
    }
}
