//! Java flows: RequestHandler / RequestStreamHandler and same-project classes.

mod support;
use support::scan;

#[test]
fn api_gateway_event_to_runtime_exec_and_sql() {
    let src = r#"package com.example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import java.sql.*;

public class Handler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {
    private Connection conn;

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent input, Context context) {
        String host = input.getQueryStringParameters().get("host");
        try {
            Process p = Runtime.getRuntime().exec("ping -c 1 " + host);
            Runtime.getRuntime().exec(new String[] {"ping", "-c", "1", host});
            Runtime.getRuntime().exec(new String[] {"/bin/sh", "-c", "ping " + host});
            Statement st = conn.createStatement();
            StringBuilder sb = new StringBuilder("SELECT * FROM users WHERE name = '");
            sb.append(input.getBody()).append("'");
            st.executeQuery(sb.toString());
            PreparedStatement ps = conn.prepareStatement("SELECT * FROM users WHERE name = ?");
            ps.setString(1, input.getBody());
            ps.executeQuery();
            int id = Integer.parseInt(input.getPathParameters().get("id"));
            st.executeQuery("SELECT * FROM users WHERE id = " + id);
        } catch (Exception e) {
            context.getLogger().log(e.getMessage());
        }
        return new APIGatewayProxyResponseEvent().withStatusCode(200);
    }
}
"#;
    assert_eq!(
        scan(&[("src/main/java/com/example/Handler.java", src)]),
        [
            "fnw-scan-inj-command src/main/java/com/example/Handler.java:16",
            "fnw-scan-inj-command src/main/java/com/example/Handler.java:18",
            "fnw-scan-inj-sql src/main/java/com/example/Handler.java:22",
        ]
    );
}

#[test]
fn stream_handler_deserialization_and_cross_class() {
    let handler = r#"package com.example;

import java.io.*;
import com.amazonaws.services.lambda.runtime.*;

public class StreamFn implements RequestStreamHandler {
    public void handleRequest(InputStream in, OutputStream out, Context ctx) throws IOException {
        ObjectInputStream ois = new ObjectInputStream(in);
        try { Object o = ois.readObject(); } catch (ClassNotFoundException e) { }
        BufferedReader r = new BufferedReader(new InputStreamReader(in));
        String line = r.readLine();
        Files.readFile(line);
        Storage.load(line);
        new ProcessBuilder("convert", line, "out.png").start();
        new ProcessBuilder("bash", "-c", "convert " + line).start();
    }
}
"#;
    let storage = r#"package com.example;

import java.nio.file.*;

public class Storage {
    static byte[] load(String name) throws java.io.IOException {
        Path p = Paths.get("/data", name);
        return Files.readAllBytes(p);
    }
    static byte[] safe(String name) throws java.io.IOException {
        return Files.readAllBytes(Paths.get("/data", Paths.get(name).getFileName().toString()));
    }
}
"#;
    assert_eq!(
        scan(&[("src/StreamFn.java", handler), ("src/Storage.java", storage)]),
        [
            "fnw-scan-inj-path src/Storage.java:8",
            "fnw-scan-inj-deserialize src/StreamFn.java:9",
            "fnw-scan-inj-command src/StreamFn.java:15"
        ]
    );
}

#[test]
fn ssrf_and_html_response() {
    let src = r#"import java.net.*;
import java.util.Map;

public class Fetch implements RequestHandler<Map<String, String>, APIGatewayProxyResponseEvent> {
    public APIGatewayProxyResponseEvent handleRequest(Map<String, String> event, Context context) {
        try {
            URL u = new URL(event.get("url"));
            HttpURLConnection c = (HttpURLConnection) u.openConnection();
        } catch (Exception e) { }
        String name = event.get("name");
        return new APIGatewayProxyResponseEvent().withBody("<html><b>" + name + "</b></html>");
    }
}
"#;
    assert_eq!(scan(&[("Fetch.java", src)]), ["fnw-scan-inj-ssrf Fetch.java:8", "fnw-scan-inj-html Fetch.java:11"]);
}

#[test]
fn allowlist_contains_guard() {
    let src = r#"import java.util.*;

public class Guarded implements RequestHandler<Map<String, String>, String> {
    private static final Set<String> ALLOWED = Set.of("ls", "date");
    public String handleRequest(Map<String, String> event, Context context) {
        String cmd = event.get("cmd");
        if (!ALLOWED.contains(cmd)) {
            return "no";
        }
        Runtime.getRuntime().exec(cmd);
        String tool = event.get("tool");
        if (!tool.matches(".*")) {
            return "no";
        }
        Runtime.getRuntime().exec(tool);
        return "ok";
    }
}
"#;
    assert_eq!(scan(&[("Guarded.java", src)]), ["fnw-scan-inj-command Guarded.java:15"]);
}
