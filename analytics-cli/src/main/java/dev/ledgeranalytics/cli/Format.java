package dev.ledgeranalytics.cli;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** How the dashboard shows numbers to people: money to the cent, ratios as percentages. */
final class Format {

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd", Locale.ROOT);
    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT);

    private Format() {}

    static String usd(BigDecimal amount) {
        if (amount == null) {
            return "—";
        }
        BigDecimal cents = amount.setScale(2, RoundingMode.HALF_EVEN);
        return (cents.signum() < 0 ? "-$" : "$") + String.format(Locale.ROOT, "%,.2f", cents.abs());
    }

    /** Small amounts, such as one request's cost, to a hundredth of a cent or finer. */
    static String usdPrecise(BigDecimal amount) {
        if (amount == null) {
            return "—";
        }
        return "$" + amount.setScale(6, RoundingMode.HALF_EVEN).toPlainString();
    }

    static String count(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    /** Sizes on disk in binary units, as PostgreSQL's pg_size_pretty shows them. */
    static String bytes(long bytes) {
        String[] units = {"bytes", "kB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + " bytes" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    static String percent(BigDecimal ratio) {
        if (ratio == null) {
            return "—";
        }
        return ratio.movePointRight(2).setScale(1, RoundingMode.HALF_EVEN).toPlainString() + " %";
    }

    static String change(BigDecimal ratio) {
        if (ratio == null) {
            return "n/a";
        }
        String sign = ratio.signum() > 0 ? "+" : "";
        return sign
                + ratio.movePointRight(2).setScale(1, RoundingMode.HALF_EVEN).toPlainString() + " %";
    }

    /**
     * A length of time exactly, in whole days, hours, minutes and seconds: {@code 30 days}, {@code
     * 2 days 23 hours} (not {@code 2 days} for 71 hours), {@code 1 hour 30 minutes}, {@code 1.5
     * seconds}. Days are 24 hours: the length of the range, whatever daylight saving time did to
     * its local days.
     */
    static String duration(Duration length) {
        List<String> parts = new ArrayList<>();
        part(parts, length.toDays(), "day");
        part(parts, length.toHoursPart(), "hour");
        part(parts, length.toMinutesPart(), "minute");
        BigDecimal seconds = BigDecimal.valueOf(length.toSecondsPart())
                .add(BigDecimal.valueOf(length.toNanosPart(), 9))
                .stripTrailingZeros();
        if (seconds.signum() != 0 || parts.isEmpty()) {
            parts.add(seconds.toPlainString() + (seconds.compareTo(BigDecimal.ONE) == 0 ? " second" : " seconds"));
        }
        return String.join(" ", parts);
    }

    private static void part(List<String> parts, long count, String unit) {
        if (count != 0) {
            parts.add(count + " " + unit + (count == 1 ? "" : "s"));
        }
    }

    static String day(Instant instant, ZoneId zone) {
        return DAY.format(instant.atZone(zone));
    }

    static String minute(Instant instant, ZoneId zone) {
        return MINUTE.format(instant.atZone(zone));
    }
}
