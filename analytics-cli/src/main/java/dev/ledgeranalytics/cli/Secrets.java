package dev.ledgeranalytics.cli;

import java.util.regex.Pattern;

/**
 * Hides passwords in text the CLI prints: a JDBC URL echoed by a message (ours, the driver's or
 * Flyway's) may carry one as a parameter or as user information, and the password given by option
 * or environment may turn up anywhere. Terminal output ends up in logs and tickets.
 */
final class Secrets {

    static final String MASK = "***";

    /** {@code password=...} up to the next parameter, in a URL's query or a driver property list. */
    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)((?:password|sslpassword)=)[^&;\\s\"']*");

    /** {@code //user:secret@host}, a form the driver rejects but people write. */
    private static final Pattern USER_INFO = Pattern.compile("(//[^/:@\\s\"']*:)[^/@\\s\"']*@");

    private Secrets() {}

    /**
     * {@code text} with every password masked.
     *
     * @param password the password given on the command line or in the environment, or {@code null}
     */
    static String mask(String text, String password) {
        if (text == null) {
            return null;
        }
        String masked = PASSWORD_PARAMETER.matcher(text).replaceAll("$1" + MASK);
        masked = USER_INFO.matcher(masked).replaceAll("$1" + MASK + "@");
        if (password != null && !password.isEmpty()) {
            masked = masked.replace(password, MASK);
        }
        return masked;
    }
}
