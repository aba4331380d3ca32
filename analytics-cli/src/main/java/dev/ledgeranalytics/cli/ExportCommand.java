package dev.ledgeranalytics.cli;

import dev.ledgeranalytics.export.CsvExporter;
import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.UserSort;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write ledger rows, or one query's result, as CSV (RFC 4180) to a file or standard output.")
final class ExportCommand implements Callable<Integer>, AnalyticsCli.UsesDatabase {

    /** What to export, written on the command line in kebab case: {@code provider-costs}. */
    enum What { LEDGER, GROSS_MARGIN, PROVIDER_COSTS, MARGIN_TREND, COST_SUMMARY, COST_HISTOGRAM, USERS }

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

    @Option(names = "--what", defaultValue = "ledger", converter = WhatConverter.class, paramLabel = "WHAT",
            description = "What to export: ledger, gross-margin, provider-costs, margin-trend, cost-summary, "
                    + "cost-histogram or users (default: ${DEFAULT-VALUE})")
    private What what;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to this file instead of standard output")
    private Path output;

    @Override
    public String schema() {
        return database.schema;
    }

    @Override
    public Integer call() throws Exception {
        LedgerFilter rows = filter.filter(Instant.now());
        CsvExporter exporter = CsvExporter.create(database.dataSource()).withSchema(database.schema).withZone(filter.zone());
        AnalyticsQueries queries = AnalyticsQueries.create(database.dataSource()).withSchema(database.schema);
        Writer out = output == null ? spec.commandLine().getOut() : Files.newBufferedWriter(output, StandardCharsets.UTF_8);
        try {
            switch (what) {
                case LEDGER -> exporter.exportLedger(rows, out);
                case GROSS_MARGIN -> exporter.write(queries.grossMargin(rows), out);
                case PROVIDER_COSTS -> exporter.writeProviderCosts(queries.providerCosts(rows), out);
                case MARGIN_TREND -> exporter.write(queries.marginTrend(rows, filter.granularity, filter.zone()), out);
                case COST_SUMMARY -> exporter.writeCostSummary(queries.costDistribution(rows), out);
                case COST_HISTOGRAM -> exporter.writeCostHistogram(queries.costDistribution(rows), out);
                case USERS -> exporter.exportUsers(queries, rows, UserSort.GROSS_MARGIN_DESC, out);
            }
        } finally {
            if (output == null) {
                out.flush();
            } else {
                out.close();
            }
        }
        return 0;
    }
}
