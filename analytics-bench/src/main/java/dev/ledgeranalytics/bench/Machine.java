package dev.ledgeranalytics.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What the figures were measured on, for the report's header.
 *
 * @param cores    processors the JVM sees
 * @param memory   total memory from {@code /proc/meminfo}, if the system has one
 * @param cpu      the processor's model name from {@code /proc/cpuinfo}, if the system has one
 * @param java     Java version and vendor
 * @param os       operating system and architecture
 * @param postgres PostgreSQL's {@code server_version}
 * @param settings the server settings that move these figures
 * @param speed    the server's time for a fixed reference statement when the run started
 */
record Machine(
        int cores,
        Optional<String> memory,
        Optional<String> cpu,
        String java,
        String os,
        String postgres,
        String settings,
        SpeedReference speed) {

    private static final List<String> SETTINGS = List.of(
            "shared_buffers",
            "work_mem",
            "effective_cache_size",
            "max_parallel_workers_per_gather",
            "jit",
            "fsync",
            "synchronous_commit",
            "full_page_writes");

    static Machine describe(Connection connection) throws SQLException {
        String version = show(connection, "server_version");
        StringBuilder settings = new StringBuilder();
        for (String setting : SETTINGS) {
            settings.append(settings.length() == 0 ? "" : ", ")
                    .append(setting)
                    .append('=')
                    .append(show(connection, setting));
        }
        return new Machine(
                Runtime.getRuntime().availableProcessors(),
                totalMemory(),
                cpuModel(),
                System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")",
                System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                version,
                settings.toString(),
                SpeedReference.measure(connection));
    }

    private static String show(Connection connection, String setting) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /**
     * The 1, 5 and 15 minute load averages, as {@code 3.01 / 6.42 / 8.22}, or "unknown" where
     * there is no {@code /proc/loadavg}: the machine may be shared, and they say how busy it was.
     */
    static String loadAverage() {
        Path loadavg = Path.of("/proc/loadavg");
        if (!Files.isReadable(loadavg)) {
            return "unknown";
        }
        try {
            String[] fields = Files.readString(loadavg).trim().split("\\s+");
            return fields[0] + " / " + fields[1] + " / " + fields[2];
        } catch (IOException e) {
            throw new UncheckedIOException("Reading " + loadavg + " failed", e);
        }
    }

    /** The processor's model name; absent where there is no {@code /proc/cpuinfo}. */
    private static Optional<String> cpuModel() {
        return firstLine(Path.of("/proc/cpuinfo"), "model name")
                .map(line -> line.substring(line.indexOf(':') + 1).trim());
    }

    /** The total memory, in GiB; absent where there is no {@code /proc/meminfo}. */
    private static Optional<String> totalMemory() {
        return firstLine(Path.of("/proc/meminfo"), "MemTotal:")
                .map(line -> Long.parseLong(line.replaceAll("[^0-9]", "")))
                .map(kib -> String.format(Locale.ROOT, "%.1f GiB", kib / (1024.0 * 1024.0)));
    }

    /** The first line of {@code file} starting with {@code prefix}; absent where the file is not there. */
    private static Optional<String> firstLine(Path file, String prefix) {
        if (!Files.isReadable(file)) {
            return Optional.empty();
        }
        try (var lines = Files.lines(file)) {
            return lines.filter(line -> line.startsWith(prefix)).findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException("Reading " + file + " failed", e);
        }
    }

    @Override
    public String toString() {
        return cores + " cores" + cpu.map(c -> " (" + c + ")").orElse("")
                + memory.map(m -> ", " + m + " memory").orElse("") + ", " + os + ", Java " + java + "; PostgreSQL "
                + postgres + " (" + settings + ").\n- Speed reference: " + speed;
    }
}
