package dev.ledgeranalytics.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.testkit.AnalyticsDatabase;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import javax.sql.DataSource;
import org.jooq.Field;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * PostgreSQL writes an instant in a zone exactly as java.time's {@code ISO_OFFSET_DATE_TIME}
 * does (the oracle), in any session time zone: around every transition, over the whole range of
 * years, in 400-year cycles far from now, at the edges of four-digit years and before year 1.
 */
@AnalyticsDatabase
class InstantTextTest {

    private static final Field<Instant> T = DSL.field(DSL.name("u", "t"), SQLDataType.INSTANT);

    private final DataSource dataSource;

    InstantTextTest(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    static List<ZoneId> zones() {
        return List.of(
                ZoneOffset.UTC,
                ZoneId.of("UTC"),
                ZoneOffset.ofHoursMinutes(5, 30),
                ZoneOffset.ofHoursMinutesSeconds(-3, -25, -52),
                ZoneId.of("Etc/GMT+5"),
                ZoneId.of("Europe/Berlin"),
                ZoneId.of("Europe/Amsterdam"), // local mean time +00:19:32 until 1937
                ZoneId.of("America/New_York"),
                ZoneId.of("America/St_Johns"), // -03:30, daylight saving time at -02:30
                ZoneId.of("America/Sao_Paulo"), // daylight saving time abolished in 2019
                ZoneId.of("Asia/Kathmandu"), // +05:45
                ZoneId.of("Asia/Kolkata"),
                ZoneId.of("Australia/Lord_Howe"), // half an hour of daylight saving time
                ZoneId.of("Pacific/Kiritimati"), // +14:00
                ZoneId.of("Pacific/Apia"), // skipped 30 December 2011
                ZoneId.of("Africa/Casablanca")); // transitions listed until 2087, no rules after
    }

    @ParameterizedTest
    @MethodSource("zones")
    void writesEveryInstantAsJavaTimeDoesInAnySessionTimeZone(ZoneId zone) throws SQLException {
        List<Instant> instants = new ArrayList<>(edgesOfTheYears());
        Random random = new Random(zone.getId().hashCode());
        long first = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond();
        long last = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        for (int i = 0; i < 3_000; i++) {
            long second = first + (long) (random.nextDouble() * (last - first));
            instants.add(Instant.ofEpochSecond(second, random.nextBoolean() ? 0 : random.nextInt(1_000_000) * 1_000L));
        }
        for (String year : List.of("1850", "2026", "2399", "2400", "2401", "2799", "2800", "5000", "9998")) {
            instants.addAll(aroundTransitions(zone, Instant.parse(year + "-01-01T00:00:00Z"), 6));
        }

        List<String> written = writtenByPostgres(instants, zone);

        List<String> expected = instants.stream()
                .map(instant -> DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(instant.atZone(zone)))
                .toList();
        for (int i = 0; i < instants.size(); i++) {
            assertThat(written.get(i)).as(instants.get(i).toString()).isEqualTo(expected.get(i));
        }
    }

    @ParameterizedTest
    @MethodSource("zones")
    void writesInfinityAsPostgresDoesAndNullAsNull(ZoneId zone) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT " + render(zone)
                        + " FROM unnest('{infinity,-infinity,NULL}'::timestamptz[]) WITH ORDINALITY AS u(t, n)"
                        + " ORDER BY n")) {
            List<String> written = new ArrayList<>();
            while (rs.next()) {
                written.add(rs.getString(1));
            }
            assertThat(written).containsExactly("infinity", "-infinity", null);
        }
    }

    /** Instants whose local year may have fewer or more than four digits, or be before year 1. */
    private static List<Instant> edgesOfTheYears() {
        List<Instant> edges = new ArrayList<>();
        for (String instant : List.of(
                "-4712-01-02T00:00:00Z",
                "-0099-03-01T12:00:00.5Z",
                "-0001-12-31T23:59:59.999999Z",
                "0000-01-01T00:00:00Z",
                "0000-12-31T12:00:00Z",
                "0001-01-01T00:00:00Z",
                "0001-01-01T17:59:59.999999Z",
                "0001-01-02T00:00:00Z",
                "1969-12-31T23:59:59.999999Z",
                "1970-01-01T00:00:00Z",
                "2026-11-02T23:30:00.123456Z",
                "2026-11-02T23:30:00.120Z",
                "2026-11-02T23:30:00.000001Z",
                "2026-11-02T23:30:00.100Z",
                "9999-12-30T23:59:59.999999Z",
                "9999-12-31T00:00:00Z",
                "9999-12-31T06:00:00Z",
                "9999-12-31T23:59:59.999999Z")) {
            edges.add(Instant.parse(instant));
        }
        return edges;
    }

    /** Each of the next {@code count} transitions after {@code from}, a microsecond before it, at it and after it. */
    private static List<Instant> aroundTransitions(ZoneId zone, Instant from, int count) {
        List<Instant> around = new ArrayList<>();
        ZoneOffsetTransition next = zone.getRules().nextTransition(from);
        for (int i = 0; i < count && next != null; i++) {
            Instant at = next.getInstant();
            around.addAll(List.of(at.minusNanos(1_000), at, at.plusNanos(1_000)));
            next = zone.getRules().nextTransition(at);
        }
        return around;
    }

    private List<String> writtenByPostgres(List<Instant> instants, ZoneId zone) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            try (Statement statement = connection.createStatement()) {
                // A session zone with an odd offset and its own daylight saving time must change nothing.
                statement.execute("SET TimeZone = 'Pacific/Chatham'");
            }
            try (PreparedStatement select = connection.prepareStatement("SELECT " + render(zone)
                    + " FROM unnest(?::text[]::timestamptz[]) WITH ORDINALITY AS u(t, n) ORDER BY n")) {
                Array input = connection.createArrayOf(
                        "text",
                        instants.stream().map(InstantTextTest::postgresInput).toArray());
                select.setArray(1, input);
                List<String> written = new ArrayList<>();
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        written.add(rs.getString(1));
                    }
                }
                assertThat(written).hasSize(instants.size());
                return written;
            }
        }
    }

    private static String render(ZoneId zone) {
        return DSL.using(SQLDialect.POSTGRES).renderInlined(InstantText.of(T, zone));
    }

    /** The instant as PostgreSQL reads it: years before 1 as BC years, 1 BC being java.time's year 0. */
    private static String postgresInput(Instant instant) {
        LocalDateTime utc = LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
        int year = utc.getYear();
        return String.format(
                Locale.ROOT,
                "%04d-%02d-%02d %02d:%02d:%02d.%06d+00%s",
                year > 0 ? year : 1 - year,
                utc.getMonthValue(),
                utc.getDayOfMonth(),
                utc.getHour(),
                utc.getMinute(),
                utc.getSecond(),
                utc.getNano() / 1_000,
                year > 0 ? "" : " BC");
    }
}
