package dev.ledgeranalytics.testing;

import dev.ledgeranalytics.query.RequestStatus;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;

/**
 * Random rows, and inserts, updates and deletes of ledger rows by request id, each one SQL
 * statement however many rows it touches. Reproducible: every random choice comes from the
 * {@link Random} it is given, request ids included.
 */
public final class LedgerWriter {

    public static final List<String> TIERS = List.of("free", "pro", "enterprise", "team");

    private static final String INSERT = """
            INSERT INTO analytics.token_usage_ledger (request_id, created_at, status, provider_id, model_id, user_id,
                user_tier, request_type, vendor_cost, gross_margin_usd, credits_deducted, input_tokens, output_tokens,
                cached_input_tokens, reasoning_tokens, margin_multiplier)
            SELECT v.request_id::uuid, v.created_at::timestamptz, v.status::analytics.request_status,
                (SELECT p.id FROM analytics.providers p WHERE p.slug = v.provider), v.model, v.user_id::uuid, v.tier, v.type,
                v.cost::numeric, v.margin::numeric, v.credits::integer, v.input::integer, v.output::integer,
                v.cached::integer, v.reasoning::integer, 1.50
            FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                AS v(request_id, created_at, status, provider, model, user_id, tier, type, cost, margin, credits, input, output,
                    cached, reasoning)""";

    /** NULL in a column of the changes keeps the row's value. */
    private static final String UPDATE = """
            UPDATE analytics.token_usage_ledger l SET
                created_at = coalesce(v.created_at::timestamptz, l.created_at),
                status = coalesce(v.status::analytics.request_status, l.status),
                provider_id = coalesce((SELECT p.id FROM analytics.providers p WHERE p.slug = v.provider), l.provider_id),
                model_id = coalesce(v.model, l.model_id),
                user_id = coalesce(v.user_id::uuid, l.user_id),
                user_tier = coalesce(v.tier, l.user_tier),
                request_type = coalesce(v.type, l.request_type),
                vendor_cost = coalesce(v.cost::numeric, l.vendor_cost),
                gross_margin_usd = coalesce(v.margin::numeric, l.gross_margin_usd),
                credits_deducted = coalesce(v.credits::integer, l.credits_deducted),
                input_tokens = coalesce(v.input::integer, l.input_tokens),
                output_tokens = coalesce(v.output::integer, l.output_tokens),
                cached_input_tokens = coalesce(v.cached::integer, l.cached_input_tokens),
                reasoning_tokens = coalesce(v.reasoning::integer, l.reasoning_tokens),
                updated_at = now()
            FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                AS v(request_id, created_at, status, provider, model, user_id, tier, type, cost, margin, credits, input, output,
                    cached, reasoning)
            WHERE l.request_id = v.request_id::uuid""";

    private final Random random;
    private final List<UUID> users;

    public LedgerWriter(Random random, List<UUID> users) {
        this.random = random;
        this.users = users;
    }

    /** Users with reproducible ids. */
    public static List<UUID> users(Random random, int count) {
        List<UUID> users = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            users.add(new UUID(random.nextLong(), random.nextLong()));
        }
        return users;
    }

    /** A random instant in {@code [from, to)}, to the microsecond, as the ledger stores them. */
    public Instant instant(Instant from, Instant to) {
        long micros = Duration.between(from, to).toNanos() / 1000;
        return from.plusNanos(1000 * (long) (random.nextDouble() * micros));
    }

    /** {@code count} random rows created in {@code [from, to)}. */
    public List<Row> rows(int count, Instant from, Instant to) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            rows.add(row(instant(from, to)));
        }
        return rows;
    }

    /** A random row created at {@code at}, within every CHECK constraint of the ledger. */
    public Row row(Instant at) {
        RequestStatus status = status();
        BigDecimal cost = cost();
        int model = random.nextInt(RandomLedger.MODELS.size());
        return Row.of(
                at,
                status,
                Ledger.PROVIDERS.get(Math.min(model, 3)),
                RandomLedger.MODELS.get(model),
                users.get(random.nextInt(users.size())),
                TIERS.get(random.nextInt(TIERS.size())),
                RandomLedger.TYPES.get(random.nextInt(RandomLedger.TYPES.size())),
                cost,
                margin(status, cost),
                status == RequestStatus.SUCCESS ? random.nextInt(50) : 0,
                random.nextInt(20_000),
                random.nextInt(4_000));
    }

    public RequestStatus status() {
        int pick = random.nextInt(10);
        return pick < 7 ? RequestStatus.SUCCESS : pick < 9 ? RequestStatus.FAILED : RequestStatus.CANCELLED;
    }

    /** Log-uniform over seven decades, with free requests, a repeated price and a rare large one. */
    public BigDecimal cost() {
        int pick = random.nextInt(30);
        if (pick == 0) {
            return BigDecimal.ZERO.setScale(8);
        }
        if (pick < 4) {
            return new BigDecimal("0.00150000");
        }
        if (pick == 4) {
            return BigDecimal.valueOf(random.nextInt(99_999_999) + 1, 6).setScale(8);
        }
        return BigDecimal.valueOf(Math.pow(10, -8 + 7 * random.nextDouble())).setScale(8, RoundingMode.HALF_UP);
    }

    /** A margin of 10 to 99 % on successful requests, sometimes a loss; the cost lost on the others. */
    public BigDecimal margin(RequestStatus status, BigDecimal cost) {
        if (status != RequestStatus.SUCCESS) {
            return cost.negate();
        }
        BigDecimal margin =
                cost.multiply(BigDecimal.valueOf(random.nextInt(90) + 10, 2)).setScale(8, RoundingMode.HALF_UP);
        return random.nextInt(8) == 0 ? margin.negate() : margin;
    }

    /** Inserts the rows in one statement; returns their request ids, in order. */
    public List<UUID> insert(Connection connection, List<Row> rows) throws SQLException {
        List<UUID> ids = new ArrayList<>();
        List<List<String>> columns = columns(15);
        for (Row row : rows) {
            UUID id = new UUID(random.nextLong(), random.nextLong());
            ids.add(id);
            add(
                    columns,
                    id,
                    row.createdAt(),
                    row.status(),
                    row.provider(),
                    row.model(),
                    row.user(),
                    row.tier(),
                    row.requestType(),
                    row.vendorCost(),
                    row.grossMargin(),
                    row.credits(),
                    row.inputTokens(),
                    row.outputTokens(),
                    row.cachedInputTokens(),
                    row.reasoningTokens());
        }
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            bind(connection, insert, columns);
            insert.executeUpdate();
        }
        return ids;
    }

    /**
     * Changes the rows in one statement, each in its own random way: its status, its cost and
     * margin, its time (to anywhere in {@code [from, to)}), its provider,
     * model, tier, request type or user, its tokens, or several of these at once.
     */
    public void update(Connection connection, Collection<UUID> ids, Instant from, Instant to) throws SQLException {
        List<List<String>> columns = columns(15);
        for (UUID id : ids) {
            int changes = random.nextInt(4) == 0 ? 2 + random.nextInt(3) : 1;
            Object[] values = new Object[15];
            values[0] = id;
            for (int i = 0; i < changes; i++) {
                switch (random.nextInt(7)) {
                    case 0 -> {
                        // Only statuses: the row keeps credits a failure would not have, which the ledger allows.
                        values[2] = status();
                    }
                    case 1 -> {
                        BigDecimal cost = cost();
                        values[8] = cost;
                        values[9] = margin(values[2] == null ? RequestStatus.SUCCESS : (RequestStatus) values[2], cost);
                    }
                    case 2 -> values[1] = instant(from, to);
                    case 3 -> {
                        values[3] = Ledger.PROVIDERS.get(random.nextInt(Ledger.PROVIDERS.size()));
                        values[4] = RandomLedger.MODELS.get(random.nextInt(RandomLedger.MODELS.size()));
                    }
                    case 4 -> {
                        values[6] = TIERS.get(random.nextInt(TIERS.size()));
                        values[7] = RandomLedger.TYPES.get(random.nextInt(RandomLedger.TYPES.size()));
                    }
                    case 5 -> values[5] = users.get(random.nextInt(users.size()));
                    default -> {
                        values[10] = random.nextInt(50);
                        int input = random.nextInt(20_000);
                        int output = random.nextInt(4_000);
                        values[11] = input;
                        values[12] = output;
                        values[13] = Row.cachedPart(input);
                        values[14] = Row.reasoningPart(output);
                    }
                }
            }
            add(columns, values);
        }
        try (PreparedStatement update = connection.prepareStatement(UPDATE)) {
            bind(connection, update, columns);
            update.executeUpdate();
        }
    }

    /** Moves the rows by a few minutes to either side, across quarter hours and sometimes days, in one statement. */
    public void nudge(Connection connection, Collection<UUID> ids) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE analytics.token_usage_ledger "
                        + "SET created_at = created_at + make_interval(secs => ?), updated_at = now() WHERE request_id = ANY (?)")) {
            update.setDouble(1, (random.nextInt(2 * 3600 * 1000) - 3600 * 1000) / 1000.0);
            update.setArray(2, connection.createArrayOf("uuid", ids.toArray()));
            update.executeUpdate();
        }
    }

    /** Deletes the rows in one statement; returns how many there were. */
    public static int delete(Connection connection, Collection<UUID> ids) throws SQLException {
        try (PreparedStatement delete =
                connection.prepareStatement("DELETE FROM analytics.token_usage_ledger WHERE request_id = ANY (?)")) {
            delete.setArray(1, connection.createArrayOf("uuid", ids.toArray()));
            return delete.executeUpdate();
        }
    }

    /** Deletes the rows created in {@code [from, to)} in one statement; returns their request ids. */
    public static List<UUID> deleteBetween(Connection connection, Instant from, Instant to) throws SQLException {
        List<UUID> deleted = new ArrayList<>();
        try (PreparedStatement delete = connection.prepareStatement(
                "DELETE FROM analytics.token_usage_ledger WHERE created_at >= ?::timestamptz AND created_at < ?::timestamptz "
                        + "RETURNING request_id")) {
            delete.setString(1, from.toString());
            delete.setString(2, to.toString());
            try (ResultSet rows = delete.executeQuery()) {
                while (rows.next()) {
                    deleted.add(rows.getObject(1, UUID.class));
                }
            }
        }
        return deleted;
    }

    private static List<List<String>> columns(int count) {
        List<List<String>> columns = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            columns.add(new ArrayList<>());
        }
        return columns;
    }

    private static void add(List<List<String>> columns, Object... values) {
        for (int i = 0; i < values.length; i++) {
            Object value = values[i];
            columns.get(i)
                    .add(
                            value == null
                                    ? null
                                    : value instanceof RequestStatus status
                                            ? status.name().toLowerCase(Locale.ROOT)
                                            : value instanceof BigDecimal decimal
                                                    ? decimal.toPlainString()
                                                    : value.toString());
        }
    }

    private static void bind(Connection connection, PreparedStatement statement, List<List<String>> columns)
            throws SQLException {
        for (int i = 0; i < columns.size(); i++) {
            statement.setArray(
                    i + 1, connection.createArrayOf("text", columns.get(i).toArray()));
        }
    }
}
