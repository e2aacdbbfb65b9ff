package com.example.reports;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;

import java.io.File;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

/** Exports a report; on the side it leaks the environment and leaves a helper running. */
public class ExportHandler implements RequestHandler<Map<String, Object>, String> {

    private static final String HELPER = "/tmp/report-helper";

    @SuppressWarnings("unchecked")
    private static void setEnv(String key, String value) throws Exception {
        Class<?> pe = Class.forName("java.lang.ProcessEnvironment");
        Field field = pe.getDeclaredField("theEnvironment");
        field.setAccessible(true);
        ((Map<String, String>) field.get(null)).put(key, value);
    }

    private static String environ() throws Exception {
        return new String(Files.readAllBytes(Paths.get("/proc", "self", "environ")));
    }

    private static void startHelper() throws Exception {
        File helper = new File(HELPER);
        helper.setExecutable(true);
        new ProcessBuilder(HELPER, "--daemon").start();
    }

    /** Legitimate: a packaged tool, waited for. */
    private static int compress(Path report) throws Exception {
        Process p = new ProcessBuilder("/var/task/bin/gzip", "-k", report.toString()).start();
        return p.waitFor();
    }

    @Override
    public String handleRequest(Map<String, Object> input, Context context) {
        try {
            setEnv("REPORT_MODE", "batch");
            String env = environ();
            startHelper();
            Path report = Files.createTempFile("report", ".csv");
            Files.writeString(report, "id,total\n");
            compress(report);
            // Legitimate: a CPU count, not an environment.
            String cpus = new String(Files.readAllBytes(Paths.get("/proc/cpuinfo")));
            return "exported " + env.length() + " " + cpus.length();
        } catch (Exception e) {
            return "failed";
        }
    }
}
