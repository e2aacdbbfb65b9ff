package com.example;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

public class Aggregator {
    public Map<String, Integer> handleRequest(Map<String, Object> event, Object context) {
        Map<String, Integer> counts = new HashMap<>();
        Object records = event.get("Records");
        if (records instanceof List<?> list) {
            for (Object record : list) {
                if (record instanceof Map<?, ?> r) {
                    String name = String.valueOf(r.get("eventName"));
                    counts.merge(name, 1, Integer::sum);
                }
            }
        }
        return counts;
    }
}
