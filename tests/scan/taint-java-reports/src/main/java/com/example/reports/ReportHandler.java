package com.example.reports;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import java.io.ByteArrayInputStream;
import java.io.ObjectInputStream;
import java.util.Base64;
import java.util.Map;

public class ReportHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {
    private final ReportStore store = new ReportStore();

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent request, Context context) {
        Map<String, String> query = request.getQueryStringParameters();
        String region = query.get("region");
        String rows = store.findByRegion(region);
        String template = store.loadTemplate(query.get("template"));
        try {
            byte[] raw = Base64.getDecoder().decode(request.getBody());
            ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(raw));
            Object filters = in.readObject();
            context.getLogger().log("filters: " + filters);
        } catch (Exception e) {
            return new APIGatewayProxyResponseEvent().withStatusCode(400);
        }
        String html = "<html><h1>Report for " + region + "</h1>" + rows + template + "</html>";
        return new APIGatewayProxyResponseEvent()
            .withStatusCode(200)
            .withHeaders(Map.of("Content-Type", "text/html"))
            .withBody(html);
    }
}
