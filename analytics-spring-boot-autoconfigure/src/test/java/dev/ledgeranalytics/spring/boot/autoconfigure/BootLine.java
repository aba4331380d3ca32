package dev.ledgeranalytics.spring.boot.autoconfigure;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import org.springframework.context.ApplicationContext;

/**
 * What the tests read from an application context through types that differ between Spring Boot
 * 3.5 and 4.0 (health, Jackson), by reflection, so that one compiled test runs on both lines.
 */
final class BootLine {

    private BootLine() {}

    /** The host's own JSON mapper: Jackson 3's {@code JsonMapper} on Boot 4, Jackson 2's {@code ObjectMapper} before. */
    static String json(ApplicationContext context, Object value) {
        Object mapper = context.getBean(
                type("tools.jackson.databind.json.JsonMapper", "com.fasterxml.jackson.databind.ObjectMapper"));
        return (String) invoke(mapper, "writeValueAsString", value);
    }

    /** Our health indicator's answer, as its status code and details. */
    static Health health(ApplicationContext context) {
        Object health = invoke(context.getBean(LedgerHealthConfiguration.INDICATOR), "health");
        Object status = invoke(health, "getStatus");
        @SuppressWarnings("unchecked")
        Map<String, Object> details = (Map<String, Object>) invoke(health, "getDetails");
        return new Health((String) invoke(status, "getCode"), details);
    }

    record Health(String status, Map<String, Object> details) {}

    private static Class<?> type(String boot4, String boot3) {
        try {
            return Class.forName(boot4);
        } catch (ClassNotFoundException e) {
            try {
                return Class.forName(boot3);
            } catch (ClassNotFoundException neither) {
                throw new IllegalStateException("Neither " + boot4 + " nor " + boot3 + " on the class path", neither);
            }
        }
    }

    private static Object invoke(Object target, String method, Object... arguments) {
        try {
            for (Method candidate : target.getClass().getMethods()) {
                if (candidate.getName().equals(method) && candidate.getParameterCount() == arguments.length) {
                    return candidate.invoke(target, arguments);
                }
            }
            throw new IllegalStateException(target.getClass() + " has no method " + method);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(e.getCause());
        }
    }
}
