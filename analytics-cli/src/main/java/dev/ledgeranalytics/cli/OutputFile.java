package dev.ledgeranalytics.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Where {@code export -o FILE} writes, chosen so that the file never lies:
 * <ul>
 *   <li>a regular file, or a new one, is written beside its place and moved there once complete,
 *       so that a failure leaves the previous file as it was and no truncated one; it keeps the
 *       permissions of the file it replaces;</li>
 *   <li>a symbolic link is written through: its target is replaced, the link stays;</li>
 *   <li>a FIFO or a device is written in place, since replacing it would leave its reader with
 *       nothing and, as root, destroy a device node such as {@code /dev/full};</li>
 *   <li>a directory, or a link to nothing, is refused.</li>
 * </ul>
 * Every failure names the path and the cause and ends the export (exit code 74).
 */
final class OutputFile {

    private static final int BUFFER_CHARS = 1 << 16;

    /** What to write; {@link UncheckedIOException}s it throws are failures of the writer it was given. */
    interface Content {
        void writeTo(Writer out) throws IOException;
    }

    private OutputFile() {}

    static void write(Path path, Content content) {
        Path target = resolve(path);
        if (Files.isDirectory(target)) {
            throw failure(path, "it is a directory", null);
        }
        try {
            if (Files.exists(target) && !Files.isRegularFile(target)) {
                writeInPlace(target, content);
            } else {
                writeAndMove(target, content);
            }
        } catch (IOException e) {
            throw failure(path, cause(path, e), e);
        } catch (UncheckedIOException e) {
            throw failure(path, cause(path, e.getCause()), e);
        }
    }

    /** The file a write lands in: the path itself, or the end of its chain of symbolic links. */
    private static Path resolve(Path path) {
        if (!Files.isSymbolicLink(path)) {
            return path.toAbsolutePath();
        }
        try {
            return path.toRealPath();
        } catch (IOException e) {
            throw failure(
                    path, "it is a symbolic link to nothing (" + cause(path, e) + "); give the path to write to", e);
        }
    }

    private static void writeInPlace(Path target, Content content) throws IOException {
        try (Writer out = new BufferedWriter(
                new OutputStreamWriter(Files.newOutputStream(target, StandardOpenOption.WRITE), StandardCharsets.UTF_8),
                BUFFER_CHARS)) {
            content.writeTo(out);
        }
    }

    private static void writeAndMove(Path target, Content content) throws IOException {
        Path partial = target.resolveSibling("." + target.getFileName() + ".partial");
        // A partial file left by an export that was killed is ours to replace; CREATE_NEW then refuses
        // to follow a link someone may have put in its place.
        Files.deleteIfExists(partial);
        try {
            try (Writer out = Files.newBufferedWriter(
                    partial, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                content.writeTo(out);
            }
            if (Files.exists(target)
                    && target.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(partial, Files.getPosixFilePermissions(target));
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    private static CommandFailure failure(Path path, String cause, Throwable error) {
        return new CommandFailure(ExitCode.OUTPUT, "cannot write " + path + ": " + cause, error);
    }

    /** The operating system's reason, and the file it concerned when that is not {@code path} itself. */
    static String cause(Path path, IOException e) {
        String reason;
        if (e instanceof FileSystemException failed) {
            reason = failed.getReason() != null ? failed.getReason() : kind(failed);
            if (failed.getFile() != null && !Path.of(failed.getFile()).equals(path.toAbsolutePath())) {
                reason += " (" + failed.getFile() + ")";
            }
        } else {
            reason = e.getMessage() == null ? e.toString() : e.getMessage();
        }
        return reason;
    }

    private static String kind(FileSystemException e) {
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof NotDirectoryException) {
            return "Not a directory";
        }
        return e.getClass().getSimpleName();
    }
}
