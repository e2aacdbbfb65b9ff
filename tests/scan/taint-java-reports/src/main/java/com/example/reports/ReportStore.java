package com.example.reports;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

public class ReportStore {
    private Connection connection() throws Exception {
        return DriverManager.getConnection(System.getenv("JDBC_URL"));
    }

    public String findByRegion(String region) {
        try (Statement st = connection().createStatement()) {
            ResultSet rs = st.executeQuery("SELECT total FROM sales WHERE region = '" + region + "'");
            return rs.next() ? rs.getString(1) : "";
        } catch (Exception e) {
            return "";
        }
    }

    public String findByRegionSafe(String region) {
        try (PreparedStatement ps = connection().prepareStatement("SELECT total FROM sales WHERE region = ?")) {
            ps.setString(1, region);
            ResultSet rs = ps.executeQuery();
            return rs.next() ? rs.getString(1) : "";
        } catch (Exception e) {
            return "";
        }
    }

    public String loadTemplate(String name) {
        try {
            Path p = Paths.get("/var/task/templates", name + ".html");
            return new String(Files.readAllBytes(p));
        } catch (Exception e) {
            return "";
        }
    }

    public String loadDefaultTemplate() {
        try {
            return new String(Files.readAllBytes(Paths.get("/var/task/templates/default.html")));
        } catch (Exception e) {
            return "";
        }
    }
}
