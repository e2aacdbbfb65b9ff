package com.example.billing;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/** Totals the month's invoices from the fixed rate card bundled with the function. */
public class Handler implements RequestHandler<Map<String, Object>, String> {
    private static final Logger LOG = LogManager.getLogger(Handler.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Map<String, Integer> RATES = Map.of("basic", 900, "pro", 2900);

    @Override
    public String handleRequest(Map<String, Object> event, Context context) {
        int total = RATES.values().stream().mapToInt(Integer::intValue).sum();
        LOG.info("monthly totals computed");
        try {
            return MAPPER.writeValueAsString(Map.of("totalCents", total));
        } catch (Exception e) {
            return "{}";
        }
    }
}
