package dev.ledgeranalytics.spring.boot.autoconfigure;

import java.math.BigDecimal;
import java.util.List;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.SerializationConfig;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.ser.BeanPropertyWriter;
import tools.jackson.databind.ser.ValueSerializerModifier;
import tools.jackson.databind.ser.std.StdSerializer;

/**
 * Complete JSON for the Ledger Analytics results with Jackson 3 (Spring Boot 4.0): the derived
 * values such as {@code GrossMargin}'s changes, {@code UserPage.hasNext} and {@code
 * UserUsage.totalTokens} become properties, and decimals are written plainly ({@code 0.00000000},
 * never {@code 0E-8}). Nothing else about the mapper changes. The starter registers it with
 * Boot's {@code JsonMapper}; register it yourself with any other:
 *
 * <pre>{@code
 * JsonMapper mapper = JsonMapper.builder().addModule(new LedgerAnalyticsJackson3Module()).build();
 * }</pre>
 */
public final class LedgerAnalyticsJackson3Module extends SimpleModule {

    private static final long serialVersionUID = 1L;

    /** The module, ready to register. */
    public LedgerAnalyticsJackson3Module() {
        super("ledger-analytics");
        ResultJson.MIXINS.forEach(this::setMixInAnnotation);
        setSerializerModifier(new PlainDecimals());
    }

    private static final class PlainDecimals extends ValueSerializerModifier {

        private static final long serialVersionUID = 1L;

        @Override
        public List<BeanPropertyWriter> changeProperties(
                SerializationConfig config, BeanDescription.Supplier description, List<BeanPropertyWriter> properties) {
            if (ResultJson.writesPlainDecimals(description.getBeanClass())) {
                for (BeanPropertyWriter property : properties) {
                    if (property.getType().hasRawClass(BigDecimal.class) && !property.hasSerializer()) {
                        property.assignSerializer(PlainDecimalSerializer.INSTANCE);
                    }
                }
            }
            return properties;
        }
    }

    private static final class PlainDecimalSerializer extends StdSerializer<Object> {

        static final PlainDecimalSerializer INSTANCE = new PlainDecimalSerializer();

        private PlainDecimalSerializer() {
            super(Object.class);
        }

        @Override
        public void serialize(Object value, JsonGenerator generator, SerializationContext context) {
            generator.writeNumber(((BigDecimal) value).toPlainString());
        }
    }
}
