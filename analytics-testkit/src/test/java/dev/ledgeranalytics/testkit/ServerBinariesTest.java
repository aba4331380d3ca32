package dev.ledgeranalytics.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

class ServerBinariesTest {

    @TempDir
    Path empty;

    @Test
    void withoutCitusTheMessageNamesTheInstallCommandAndTheUrlSetting() {
        assertThat(ServerBinaries.missingForCitus(empty, empty))
                .hasValueSatisfying(message -> assertThat(message)
                        .contains("no initdb, pg_ctl, postgres in " + empty)
                        .contains("sudo ../shared/citus/build.sh")
                        .contains("ANALYTICS_TEST_CITUS_URL"));
    }

    @Test
    void withoutPgBasebackupTheMessageNamesThePackageToInstall() {
        assertThat(ServerBinaries.missingForStandby(empty))
                .hasValueSatisfying(message ->
                        assertThat(message).contains("pg_basebackup").contains("sudo apt-get install postgresql-15"));
    }

    @Test
    void missingServersSkipTheTestUnlessTheyAreRequired() {
        Optional<String> missing = Optional.of("no citus.so");

        assertThatThrownBy(() -> ServerBinaries.assume(missing, Map.<String, String>of()::get))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("no citus.so");
        assertThatThrownBy(() -> ServerBinaries.assume(missing, Map.of(ServerBinaries.SCALE_OUT, "required")::get))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("analytics.testdb.scaleout=required")
                .hasMessageContaining("no citus.so");
        assertThatThrownBy(() -> ServerBinaries.assume(missing, Map.of(ServerBinaries.SCALE_OUT, "sometimes")::get))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"sometimes\"");
        assertThatCode(() -> ServerBinaries.assume(Optional.empty(), Map.of(ServerBinaries.SCALE_OUT, "required")::get))
                .doesNotThrowAnyException();
    }
}
