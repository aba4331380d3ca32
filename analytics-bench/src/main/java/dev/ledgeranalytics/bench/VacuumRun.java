package dev.ledgeranalytics.bench;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One VACUUM, timed, with what its VERBOSE report says it did, added up over the tables it
 * processed (every partition of a partitioned table; TOAST tables left out).
 *
 * @param seconds       wall time
 * @param pages         pages of the tables when it ended
 * @param pagesScanned  pages it read (the others were skipped as all-visible)
 * @param indexScans    passes over the indexes to remove dead entries, the most of any table
 * @param tuplesRemoved dead row versions it removed
 * @param walBytes      WAL it wrote
 */
record VacuumRun(double seconds, long pages, long pagesScanned, int indexScans, long tuplesRemoved, long walBytes) {

    private static final Pattern TABLE = Pattern.compile("finished vacuuming \"([^\"]+)\": index scans: (\\d+)");
    private static final Pattern PAGES = Pattern.compile("pages: \\d+ removed, (\\d+) remain, (\\d+) scanned");
    private static final Pattern TUPLES = Pattern.compile("tuples: (\\d+) removed");
    private static final Pattern WAL = Pattern.compile("WAL usage: \\d+ records, \\d+ full page images, (\\d+) bytes");

    /**
     * Runs {@code VACUUM (VERBOSE, options) table}.
     *
     * @param options further options, such as {@code "ANALYZE"}, or empty
     */
    static VacuumRun of(Connection connection, String options, String table) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            long start = System.nanoTime();
            statement.execute("VACUUM (VERBOSE" + (options.isEmpty() ? "" : ", " + options) + ") " + table);
            double seconds = (System.nanoTime() - start) / 1e9;
            long pages = 0;
            long scanned = 0;
            int indexScans = 0;
            long removed = 0;
            long wal = 0;
            for (SQLWarning report = statement.getWarnings(); report != null; report = report.getNextWarning()) {
                String text = report.getMessage();
                Matcher finished = TABLE.matcher(text);
                if (!finished.find() || finished.group(1).contains(".pg_toast.")) {
                    continue;
                }
                indexScans = Math.max(indexScans, Integer.parseInt(finished.group(2)));
                Matcher pageCounts = PAGES.matcher(text);
                if (pageCounts.find()) {
                    pages += Long.parseLong(pageCounts.group(1));
                    scanned += Long.parseLong(pageCounts.group(2));
                }
                removed += first(TUPLES, text);
                wal += first(WAL, text);
            }
            return new VacuumRun(seconds, pages, scanned, indexScans, removed, wal);
        }
    }

    private static long first(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
    }
}
