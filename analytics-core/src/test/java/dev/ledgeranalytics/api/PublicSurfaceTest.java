package dev.ledgeranalytics.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledgeranalytics.query.AnalyticsQueries;
import dev.ledgeranalytics.schema.Analytics;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jooq.Table;
import org.junit.jupiter.api.Test;

/**
 * What a host can reach is API and nothing else. The jars name their modules
 * (Automatic-Module-Name) rather than ship module descriptors: Flyway publishes no module name of
 * its own and finds migrations by scanning resources, which a named module would hide, so the
 * migrations module cannot be a named one, and the core module would have to require it. On the
 * class path every public class is visible; these checks keep the internals out of the API's
 * signatures, so that no host ever needs them, and the rollup machinery out of the generated model.
 */
class PublicSurfaceTest {

    private static final List<String> API_PACKAGES = List.of(
            "dev.ledgeranalytics.export",
            "dev.ledgeranalytics.jooq",
            "dev.ledgeranalytics.query",
            "dev.ledgeranalytics.rollup",
            "dev.ledgeranalytics.schema",
            "dev.ledgeranalytics.schema.enums",
            "dev.ledgeranalytics.schema.tables",
            "dev.ledgeranalytics.schema.tables.records",
            "dev.ledgeranalytics.verify");

    @Test
    void everyPublicClassOutsideTheInternalPackagesIsInAnApiPackage() throws Exception {
        List<Class<?>> classes = coreClasses();
        assertThat(classes)
                .extracting(Class::getPackageName)
                .as("the scan sees API and internal classes")
                .contains("dev.ledgeranalytics.query", "dev.ledgeranalytics.rollup.internal");
        for (Class<?> type : classes) {
            if (Modifier.isPublic(type.getModifiers()) && !internal(type.getPackageName())) {
                assertThat(API_PACKAGES).as(type.getName()).contains(type.getPackageName());
            }
        }
    }

    @Test
    void noPublicSignatureOfTheApiMentionsAnInternalType() throws Exception {
        List<String> leaks = new ArrayList<>();
        for (Class<?> type : coreClasses()) {
            if (!Modifier.isPublic(type.getModifiers()) || internal(type.getPackageName())) {
                continue;
            }
            check(type.getName() + " extends", type.getGenericSuperclass(), leaks);
            for (Type implemented : type.getGenericInterfaces()) {
                check(type.getName() + " implements", implemented, leaks);
            }
            for (Method method : type.getDeclaredMethods()) {
                if (visible(method)) {
                    check(method.toString(), method.getGenericReturnType(), leaks);
                    for (Type parameter : method.getGenericParameterTypes()) {
                        check(method.toString(), parameter, leaks);
                    }
                }
            }
            for (Constructor<?> constructor : type.getDeclaredConstructors()) {
                if (visible(constructor)) {
                    for (Type parameter : constructor.getGenericParameterTypes()) {
                        check(constructor.toString(), parameter, leaks);
                    }
                }
            }
            for (Field field : type.getDeclaredFields()) {
                if (visible(field)) {
                    check(field.toString(), field.getGenericType(), leaks);
                }
            }
        }
        assertThat(leaks).isEmpty();
    }

    @Test
    void theGeneratedModelHoldsTheLedgerAndProvidersButNoRollupMachinery() throws Exception {
        assertThat(Analytics.ANALYTICS.getTables())
                .extracting(Table::getName)
                .containsExactlyInAnyOrder("token_usage_ledger", "providers");
        assertThat(coreClasses())
                .filteredOn(type -> type.getPackageName().startsWith("dev.ledgeranalytics.schema"))
                .extracting(Class::getSimpleName)
                .noneMatch(name -> name.startsWith("Rollup"));
    }

    private static void check(String where, Type type, List<String> leaks) {
        if (type != null && type.getTypeName().contains(".internal.")) {
            leaks.add(where + " mentions " + type.getTypeName());
        }
    }

    private static boolean visible(Member member) {
        int modifiers = member.getModifiers();
        return (Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers)) && !member.isSynthetic();
    }

    private static boolean internal(String packageName) {
        return packageName.contains(".internal");
    }

    /** Every class of analytics-core's main output. */
    private static List<Class<?>> coreClasses() throws IOException, URISyntaxException, ClassNotFoundException {
        Path root = Path.of(AnalyticsQueries.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = root.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                if (!name.endsWith("package-info") && !name.equals("module-info")) {
                    classes.add(Class.forName(name, false, PublicSurfaceTest.class.getClassLoader()));
                }
            }
        }
        return classes;
    }
}
