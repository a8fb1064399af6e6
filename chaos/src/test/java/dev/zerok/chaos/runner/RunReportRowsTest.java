package dev.zerok.chaos.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** One summary from the rows several JVMs appended to one run's {@code results.tsv}. */
class RunReportRowsTest {
    private static RunReport.Row row(String stamp, String id, String verdict) {
        ScenarioResult r = verdict.equals("PASSED") ? new ScenarioResult(id, "real", 1, 1, null, null, null, 7)
                : new ScenarioResult(id, "real", 1, 0, null, 5L, "boom " + stamp, 7);
        return RunReport.Row.parse(RunReport.Row.of(stamp, r).line().strip());
    }

    @Test
    void rowsOfSeveralJvms_fillOneSummary_andALaterRunOfAnIdReplacesItsRows() {
        List<RunReport.Row> rows = List.of(row("1-10", "T-LAT-01", "FAILED"), row("1-10", "T-LAT-02", "PASSED"),
                row("2-20", "X-PLAT-03", "PASSED"), row("3-30", "T-LAT-01", "PASSED"));

        String summary = RunReport.summaryOfRows(Catalogue.standard(), rows);

        assertThat(summary).contains("| T-LAT-01 | PASSED | real | 1/1 |").doesNotContain("boom")
                .contains("| T-LAT-02 | PASSED |").contains("| X-PLAT-03 | PASSED |")
                .contains(Catalogue.ALL_IDS.size() + " catalogue IDs: 3 passed, 0 failed, "
                        + (Catalogue.ALL_IDS.size() - 3) + " not run");
    }

    @Test
    void twoJvmsRunningOneIdOnTwoTopologies_bothRowsStay() {
        RunReport.Row real = row("1-10", "T-LAT-01", "FAILED");
        RunReport.Row mock = RunReport.Row.parse(RunReport.Row.of("2-20",
                new ScenarioResult("T-LAT-01", "mock", 1, 1, null, null, null, 7)).line().strip());

        String summary = RunReport.summaryOfRows(Catalogue.standard(), List.of(real, mock));

        assertThat(summary).contains("| T-LAT-01 | FAILED | real |").contains("| T-LAT-01 | PASSED | mock |");
    }

    @Test
    void aTornLine_isSkipped() {
        assertThat(RunReport.Row.parse("123-4\tT-LAT-01\treal")).isNull();
    }
}
