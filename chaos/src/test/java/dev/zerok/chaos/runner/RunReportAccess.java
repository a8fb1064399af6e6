package dev.zerok.chaos.runner;

import java.util.List;

/** Test access to {@link RunReport#summary} with given results (the JVM-wide list is shared by every test). */
public final class RunReportAccess {
    private RunReportAccess() {}

    public static String summary(List<ScenarioResult> results) {
        return RunReport.summary(Catalogue.standard(), results);
    }
}
