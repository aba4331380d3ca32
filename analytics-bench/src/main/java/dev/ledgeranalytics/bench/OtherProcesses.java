package dev.ledgeranalytics.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The CPU time the machine spent on anything but this run: its JVM, the PostgreSQL server it
 * started and their children. On a machine shared with other builds, that says whether a figure
 * was measured on a quiet machine. Read from Linux's {@code /proc}; elsewhere there is nothing to
 * read and nothing is reported.
 */
final class OtherProcesses {

    /** Linux reports process times in clock ticks of 1/100 s ({@code USER_HZ}) on every common architecture. */
    private static final double TICKS_PER_SECOND = 100;

    private static final Path PROC = Path.of("/proc");

    /**
     * CPU ticks spent so far.
     *
     * @param busy  by the whole machine, idle and I/O wait excluded
     * @param own   by the run's own processes, their finished children included
     * @param nanos when this was read
     */
    record Snapshot(long busy, long own, long nanos) {

        /** Cores the other processes kept busy on average between {@code earlier} and this snapshot. */
        double otherCoresSince(Snapshot earlier) {
            double seconds = (nanos - earlier.nanos) / 1e9;
            long others = (busy - earlier.busy) - (own - earlier.own);
            return seconds <= 0 ? 0 : Math.max(0, others) / TICKS_PER_SECOND / seconds;
        }
    }

    private final List<Long> roots;

    /**
     * @param serverPid the process id of a backend of the run's PostgreSQL server: its parent, the
     *                  server itself, and everything below it are the run's own
     */
    OtherProcesses(long serverPid) {
        long server = stat(serverPid).map(fields -> Long.parseLong(fields[1])).orElse(serverPid);
        this.roots = List.of(ProcessHandle.current().pid(), server);
    }

    /** The ticks spent so far, if this system has a {@code /proc} to read them from. */
    Optional<Snapshot> snapshot() {
        if (!Files.isReadable(PROC.resolve("stat"))) {
            return Optional.empty();
        }
        long nanos = System.nanoTime();
        return Optional.of(new Snapshot(busy(), own(), nanos));
    }

    /** The ticks of the roots and everything below them, alive or ended. */
    private long own() {
        Map<Long, String[]> processes = new HashMap<>();
        Map<Long, List<Long>> children = new HashMap<>();
        try (Stream<Path> entries = Files.list(PROC)) {
            entries.map(path -> path.getFileName().toString())
                    .filter(name -> name.chars().allMatch(Character::isDigit))
                    .forEach(name -> stat(Long.parseLong(name)).ifPresent(fields -> {
                        long pid = Long.parseLong(name);
                        processes.put(pid, fields);
                        children.computeIfAbsent(Long.parseLong(fields[1]), parent -> new ArrayList<>())
                                .add(pid);
                    }));
        } catch (IOException e) {
            throw new UncheckedIOException("Listing " + PROC + " failed", e);
        }
        long own = 0;
        Deque<Long> pending = new ArrayDeque<>(roots);
        while (!pending.isEmpty()) {
            long pid = pending.pop();
            String[] fields = processes.get(pid);
            if (fields != null) {
                // utime, stime, and those of its children that have ended (cutime, cstime).
                for (int i = 11; i <= 14; i++) {
                    own += Long.parseLong(fields[i]);
                }
            }
            pending.addAll(children.getOrDefault(pid, List.of()));
        }
        return own;
    }

    /**
     * The fields of {@code /proc/<pid>/stat} after the command name (which may hold spaces):
     * index 0 is the state, 1 the parent's id, 11 to 14 utime, stime, cutime and cstime.
     */
    private static Optional<String[]> stat(long pid) {
        try {
            String line = Files.readString(PROC.resolve(pid + "/stat"));
            return Optional.of(line.substring(line.lastIndexOf(')') + 2).trim().split(" "));
        } catch (IOException e) {
            // The process ended between listing and reading: it no longer counts.
            return Optional.empty();
        }
    }

    /** user + nice + system + irq + softirq + steal of the machine's {@code cpu} line. */
    private static long busy() {
        try {
            String[] fields =
                    Files.readAllLines(PROC.resolve("stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                busy += Long.parseLong(fields[i]);
            }
            return busy;
        } catch (IOException e) {
            throw new UncheckedIOException("Reading " + PROC.resolve("stat") + " failed", e);
        }
    }
}
