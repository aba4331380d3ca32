package dev.ledgeranalytics.cli;

import dev.ledgeranalytics.export.CsvExporter;
import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.query.LedgerFilter;
import dev.ledgeranalytics.query.UserSort;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Path;
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

    private static final int BUFFER_CHARS = 1 << 16;

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
            description = "Write to this file instead of standard output. A regular file is replaced only once the "
                    + "export is complete; a symbolic link is written through; a FIFO or device is written in place.")
    private Path output;

    @Override
    public Integer call() {
        LedgerFilter rows = filter.filter(Instant.now());
        if (output == null) {
            PrintWriter out = spec.commandLine().getOut();
            try {
                Writer failFast = new BufferedWriter(new FailFastWriter(out), BUFFER_CHARS);
                write(rows, failFast);
                failFast.flush();
            } catch (IOException | UncheckedIOException e) {
                throw new CommandFailure(
                        ExitCode.OUTPUT,
                        StandardOutput.failureOf(out).orElse("cannot write to standard output")
                                + "; the export is incomplete",
                        e);
            }
            return 0;
        }
        OutputFile.write(output, out -> write(rows, out));
        return 0;
    }

    /**
     * Standard output that fails on the first write that does not arrive. PrintWriter only sets a
     * flag, and an export to {@code head -1} would stream every remaining row into a closed pipe
     * and exit 0. Asked after each block of {@value #BUFFER_CHARS} characters, so the flush the
     * question implies costs nothing.
     */
    private static final class FailFastWriter extends Writer {

        private final PrintWriter out;

        FailFastWriter(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void write(char[] buffer, int offset, int length) throws IOException {
            out.write(buffer, offset, length);
            failIfLost();
        }

        @Override
        public void flush() throws IOException {
            failIfLost();
        }

        @Override
        public void close() throws IOException {
            flush();
        }

        private void failIfLost() throws IOException {
            if (out.checkError()) {
                throw new IOException("standard output refused the export");
            }
        }
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
