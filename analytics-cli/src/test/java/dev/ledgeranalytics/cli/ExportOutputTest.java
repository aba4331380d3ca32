package dev.ledgeranalytics.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ledgeranalytics.cli.CliTest.Run;
import dev.ledgeranalytics.testkit.LedgerSeeder;
import dev.ledgeranalytics.testkit.TestDatabase;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An export never exits 0 without having written everything, and never replaces what its output path names. */
class ExportOutputTest {

    private static final String HEADER = "id,request_id,created_at,status,provider";
    private static final int FIFO = 0010000;
    private static final int CHARACTER_DEVICE = 0020000;

    private static TestDatabase seeded;

    @TempDir
    Path temp;

    @BeforeAll
    static void seed() {
        seeded = TestDatabase.migrated();
        LedgerSeeder.into(seeded.dataSource())
                .rows(20_000)
                .between(Instant.parse("2026-08-01T00:00:00Z"), Instant.parse("2026-11-01T00:00:00Z"))
                .seed(11)
                .load();
    }

    @AfterAll
    static void drop() {
        seeded.close();
    }

    private static String[] export(String... more) {
        List<String> args = new ArrayList<>(
                List.of("export", "--jdbc-url", seeded.jdbcUrl(), "--from", "2026-08-01", "--to", "2026-11-01"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void anExportWhoseReaderClosesThePipeAfterOneLineStopsAndFailsSayingSo() throws Exception {
        File err = temp.resolve("stderr").toFile();
        Process process = CliProcess.of(export()).redirectError(err).start();

        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).startsWith(HEADER);
        }

        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the export ended").isTrue();
        assertThat(process.exitValue()).as(Files.readString(err.toPath())).isEqualTo(ExitCode.OUTPUT.code);
        assertThat(Files.readString(err.toPath()))
                .startsWith("error: cannot write to standard output: Broken pipe; the export is incomplete");
    }

    @Test
    void anExportToAFullDiskFailsSayingSo() throws Exception {
        File full = new File("/dev/full");
        assumeTrue(full.exists(), "no /dev/full on this system");
        File err = temp.resolve("stderr").toFile();

        Process process =
                CliProcess.of(export()).redirectOutput(full).redirectError(err).start();

        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(Files.readString(err.toPath())).isEqualTo(ExitCode.OUTPUT.code);
        assertThat(Files.readString(err.toPath()))
                .startsWith("error: cannot write to standard output: No space left on device");
    }

    @Test
    void aReportToAFullDiskFailsToo() throws Exception {
        File full = new File("/dev/full");
        assumeTrue(full.exists(), "no /dev/full on this system");
        File err = temp.resolve("stderr").toFile();

        Process process = CliProcess.of("report", "--jdbc-url", seeded.jdbcUrl())
                .redirectOutput(full)
                .redirectError(err)
                .start();

        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(Files.readString(err.toPath())).isEqualTo(ExitCode.OUTPUT.code);
        assertThat(Files.readString(err.toPath())).contains("cannot write to standard output");
    }

    @Test
    void anExportOntoASymbolicLinkWritesThroughToItsTarget() throws IOException {
        Path target = Files.writeString(temp.resolve("october.csv"), "last month's export");
        Path link = Files.createSymbolicLink(temp.resolve("latest.csv"), target.getFileName());

        Run run = CliTest.run(export("-o", link.toString()));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readString(target)).startsWith(HEADER);
        try (var files = Files.list(temp)) {
            assertThat(files).containsExactlyInAnyOrder(target, link);
        }
    }

    @Test
    void anExportOntoALinkToNothingIsRefused() throws IOException {
        Path link = Files.createSymbolicLink(temp.resolve("latest.csv"), temp.resolve("gone.csv"));

        Run run = CliTest.run(export("-o", link.toString()));

        assertThat(run.exitCode()).isEqualTo(ExitCode.OUTPUT.code);
        assertThat(run.err()).startsWith("error: cannot write " + link + ": it is a symbolic link to nothing");
        assertThat(Files.isSymbolicLink(link)).isTrue();
    }

    @Test
    void anExportIntoAFifoIsWrittenInPlaceForItsReader() throws Exception {
        Path fifo = temp.resolve("export.fifo");
        assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "no mkfifo here");
        ExecutorService readers = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "fifo-reader");
            thread.setDaemon(true); // blocked for ever in open() if the FIFO were replaced
            return thread;
        });
        try {
            CompletableFuture<String> read = CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            return Files.readString(fifo);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    },
                    readers);

            Run run = CliTest.run(export("--what", "provider-costs", "-o", fifo.toString()));

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(read.get(30, TimeUnit.SECONDS)).startsWith("provider,display_name,requests");
            assertThat(fileType(fifo)).isEqualTo(FIFO);
        } finally {
            readers.shutdownNow();
        }
    }

    @Test
    void anExportOntoADeviceWritesInPlaceAndNeverReplacesTheNode() throws Exception {
        // A private twin of /dev/full (character device 1,7): what `-o /dev/full` did to the real one as root.
        Path device = temp.resolve("full");
        assumeTrue(
                new ProcessBuilder("mknod", device.toString(), "c", "1", "7")
                                .start()
                                .waitFor()
                        == 0,
                "creating a device node needs root");

        Run run = CliTest.run(export("-o", device.toString()));

        assertThat(run.exitCode()).isEqualTo(ExitCode.OUTPUT.code);
        assertThat(run.err()).startsWith("error: cannot write " + device + ": No space left on device");
        assertThat(fileType(device)).isEqualTo(CHARACTER_DEVICE);
        try (var files = Files.list(temp)) {
            assertThat(files).containsExactly(device);
        }
    }

    @Test
    void anUnwritablePathIsNamedWithTheCause() {
        Path missingDirectory = temp.resolve("no-such-directory").resolve("october.csv");

        Run intoProc = CliTest.run(export("-o", "/proc/nope.csv"));
        Run intoNothing = CliTest.run(export("-o", missingDirectory.toString()));
        Run ontoDirectory = CliTest.run(export("-o", temp.toString()));

        assertThat(intoProc.exitCode()).isEqualTo(ExitCode.OUTPUT.code);
        assertThat(intoProc.err())
                .startsWith("error: cannot write /proc/nope.csv: ")
                .containsPattern("(No such file or directory|Permission denied|Read-only file system)");
        assertThat(intoNothing.exitCode()).isEqualTo(ExitCode.OUTPUT.code);
        assertThat(intoNothing.err())
                .startsWith("error: cannot write " + missingDirectory + ": No such file or directory");
        assertThat(ontoDirectory.exitCode()).isEqualTo(ExitCode.OUTPUT.code);
        assertThat(ontoDirectory.err()).startsWith("error: cannot write " + temp + ": it is a directory");
    }

    @Test
    void anExportKeepsThePermissionsOfTheFileItReplaces() throws IOException {
        Path file = Files.writeString(temp.resolve("private.csv"), "last month's export");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        Run run = CliTest.run(export("-o", file.toString()));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(Files.readString(file)).startsWith(HEADER);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
    }

    /** The file type bits of {@code stat}'s mode, without following a link. */
    private static int fileType(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000;
    }
}
