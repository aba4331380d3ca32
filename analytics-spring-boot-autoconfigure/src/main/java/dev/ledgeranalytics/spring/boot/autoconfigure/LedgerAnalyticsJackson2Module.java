package dev.ledgeranalytics.spring.boot.autoconfigure;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.BeanPropertyWriter;
import com.fasterxml.jackson.databind.ser.BeanSerializerModifier;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.List;

/**
 * Complete JSON for the Ledger Analytics results with Jackson 2 (Spring Boot 3.5): the derived
 * values such as {@code GrossMargin}'s changes, {@code UserPage.hasNext} and {@code
 * UserUsage.totalTokens} become properties, and decimals are written plainly ({@code 0.00000000},
 * never {@code 0E-8}). Nothing else about the mapper changes. The starter registers it with
 * Boot's {@code ObjectMapper}; register it yourself with any other:
 *
 * <pre>{@code
 * ObjectMapper mapper = JsonMapper.builder()
 *         .addModule(new JavaTimeModule())
 *         .addModule(new LedgerAnalyticsJackson2Module())
 *         .build();
 * }</pre>
 */
public final class LedgerAnalyticsJackson2Module extends SimpleModule {

    private static final long serialVersionUID = 1L;

    /** The module, ready to register. */
    public LedgerAnalyticsJackson2Module() {
        super("ledger-analytics");
        ResultJson.MIXINS.forEach(this::setMixInAnnotation);
        setSerializerModifier(new PlainDecimals());
    }

    private static final class PlainDecimals extends BeanSerializerModifier {

        private static final long serialVersionUID = 1L;

        @Override
        public List<BeanPropertyWriter> changeProperties(
                SerializationConfig config, BeanDescription description, List<BeanPropertyWriter> properties) {
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

        private static final long serialVersionUID = 1L;

        static final PlainDecimalSerializer INSTANCE = new PlainDecimalSerializer();

        private PlainDecimalSerializer() {
            super(Object.class);
        }

        @Override
        public void serialize(Object value, JsonGenerator generator, SerializerProvider provider) throws IOException {
            generator.writeNumber(((BigDecimal) value).toPlainString());
        }
    }
}
