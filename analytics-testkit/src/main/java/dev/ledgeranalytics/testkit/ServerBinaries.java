package dev.ledgeranalytics.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's PostgreSQL 15 server binaries, with Citus once {@value #CITUS_BUILD} has built it into
 * them: the servers of the read-replica and Citus fixtures. The embedded binaries have neither
 * {@code pg_basebackup} nor Citus. initdb refuses to run as root, so when this JVM is root every
 * binary runs as the unprivileged {@value #SERVER_USER} account the Debian packages create.
 */
final class ServerBinaries {

    static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    static final Path LIB = Path.of("/usr/lib/postgresql/15/lib");

    /** The script that installs Debian's PostgreSQL 15 and builds Citus into it, from the repository root. */
    static final String CITUS_BUILD = "../shared/citus/build.sh";

    /**
     * System property ({@code ANALYTICS_TESTDB_SCALEOUT} as environment variable): {@code auto}
     * (the default) skips the replica and Citus tests where their servers are missing,
     * {@code required} fails them instead, so that a CI run cannot pass by skipping them.
     */
    static final String SCALE_OUT = "analytics.testdb.scaleout";

    static final String SERVER_USER = "postgres";

    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(2);
    private static final int OUTPUT_TAIL_CHARS = 2_000;
    private static final List<Path> RUNUSER =
            List.of(Path.of("/usr/sbin/runuser"), Path.of("/sbin/runuser"), Path.of("/usr/bin/runuser"));

    private ServerBinaries() {}

    /** What is missing for a primary with a streaming standby, if anything. */
    static Optional<String> missingForStandby(Path bin) {
        return missingServer(bin, List.of("initdb", "pg_ctl", "postgres", "pg_basebackup"))
                .map(missing -> "A primary with a streaming replica needs PostgreSQL's server binaries with "
                        + "pg_basebackup, which the embedded binaries lack: " + missing + ". Install Debian's "
                        + "PostgreSQL 15 server (sudo apt-get install postgresql-15; " + CITUS_BUILD
                        + " from the repository root installs it too).");
    }

    /** What is missing for a local Citus cluster, if anything. */
    static Optional<String> missingForCitus(Path bin, Path lib) {
        Optional<String> server = missingServer(bin, List.of("initdb", "pg_ctl", "postgres"));
        Optional<String> missing = server.isPresent() || Files.isRegularFile(lib.resolve("citus.so"))
                ? server
                : Optional.of("Citus is not installed (no citus.so in " + lib + ")");
        return missing.map(reason -> "A local Citus cluster needs Citus built into Debian's PostgreSQL 15: " + reason
                + ". Install both with sudo " + CITUS_BUILD + " from the repository root (about 5 to 7 minutes), "
                + "or set " + CitusCluster.JDBC_URL + " to the JDBC URL of a Citus coordinator.");
    }

    /**
     * Skips the calling test for the reason given, or fails it where {@value #SCALE_OUT} is
     * {@code required}.
     */
    static void assume(Optional<String> missing, UnaryOperator<String> settings) {
        if (missing.isEmpty()) {
            return;
        }
        String mode = settings.apply(SCALE_OUT);
        String normalised =
                mode == null || mode.isBlank() ? "auto" : mode.strip().toLowerCase(Locale.ROOT);
        switch (normalised) {
            case "auto" -> Assumptions.abort(missing.get());
            case "required" -> throw new IllegalStateException(SCALE_OUT + "=required: " + missing.get());
            default ->
                throw new IllegalArgumentException(
                        SCALE_OUT + " must be \"auto\" or \"required\", but was \"" + mode + "\"");
        }
    }

    /** A new temporary directory the servers' account may write to, for the data directories of one cluster. */
    static Path newClusterDirectory(String prefix) {
        try {
            Path directory = Files.createTempDirectory(prefix);
            if (runningAsRoot()) {
                UserPrincipal owner = directory
                        .getFileSystem()
                        .getUserPrincipalLookupService()
                        .lookupPrincipalByName(SERVER_USER);
                Files.setOwner(directory, owner);
            }
            return directory;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "analytics-testkit could not create a directory for the servers in "
                            + System.getProperty("java.io.tmpdir") + " owned by " + SERVER_USER,
                    e);
        }
    }

    /**
     * Runs a server binary to completion, as {@value #SERVER_USER} when this JVM is root, and fails
     * with the tail of its output when it fails.
     */
    static void run(Path workDirectory, String binary, String... arguments) {
        List<String> command = new ArrayList<>();
        if (runningAsRoot()) {
            command.addAll(List.of(runuser().toString(), "-u", SERVER_USER, "--"));
        }
        command.add(BIN.resolve(binary).toString());
        command.addAll(List.of(arguments));
        Path output = null;
        try {
            output = Files.createTempFile(workDirectory, binary, ".out");
            // To a file, not a pipe: pg_ctl start leaves a server running that must not hold our pipe open.
            Process process = new ProcessBuilder(command)
                    .directory(workDirectory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within "
                        + COMMAND_TIMEOUT.toSeconds() + " s" + tail(output));
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(
                        String.join(" ", command) + " failed with exit code " + process.exitValue() + tail(output));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("analytics-testkit could not run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + String.join(" ", command), e);
        } finally {
            if (output != null) {
                deleteRecursively(output);
            }
        }
    }

    /** The end of a file, for failure messages; empty if there is nothing to show. */
    static String tail(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (text.isEmpty()) {
                return "";
            }
            return ":\n"
                    + (text.length() > OUTPUT_TAIL_CHARS
                            ? "..." + text.substring(text.length() - OUTPUT_TAIL_CHARS)
                            : text);
        } catch (IOException e) {
            return " (" + file + " unreadable: " + e.getMessage() + ")";
        }
    }

    static void deleteRecursively(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("analytics-testkit could not delete " + path, e);
        }
    }

    private static Optional<String> missingServer(Path bin, List<String> binaries) {
        List<String> absent = binaries.stream()
                .filter(name -> !Files.isExecutable(bin.resolve(name)))
                .toList();
        if (!absent.isEmpty()) {
            return Optional.of("no " + String.join(", ", absent) + " in " + bin);
        }
        if (runningAsRoot()) {
            if (RUNUSER.stream().noneMatch(Files::isExecutable)) {
                return Optional.of("this JVM runs as root, where initdb refuses to run, and runuser is missing");
            }
            if (!serverUserExists()) {
                return Optional.of("this JVM runs as root, where initdb refuses to run, and there is no " + SERVER_USER
                        + " account to run it as");
            }
        }
        return Optional.empty();
    }

    private static Path runuser() {
        return RUNUSER.stream().filter(Files::isExecutable).findFirst().orElseThrow();
    }

    private static boolean serverUserExists() {
        try {
            Path.of("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(SERVER_USER);
            return true;
        } catch (UserPrincipalNotFoundException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("analytics-testkit could not look up the " + SERVER_USER + " account", e);
        }
    }

    private static boolean runningAsRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (NoSuchFileException | UnsupportedOperationException e) {
            // No /proc or no unix attributes: not the Linux these binaries are built for, so not root there.
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("analytics-testkit could not read the user id of this JVM", e);
        }
    }
}
