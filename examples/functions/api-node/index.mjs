// Benign: a small REST endpoint behind API Gateway (payload format 1.0 or 2.0), ES module.
// GET /health, GET /items/{id}, POST /items (JSON body; the item id is a content hash).
import { createHash, createHmac, randomUUID } from "node:crypto";

const json = (statusCode, body, extra = {}) => ({
  statusCode,
  headers: { "content-type": "application/json", ...extra },
  body: JSON.stringify(body),
});

function request(event) {
  const http = event.requestContext && event.requestContext.http;
  return {
    method: (http ? http.method : event.httpMethod) || "GET",
    path: (http ? event.rawPath : event.path) || "/",
    headers: event.headers || {},
    body: event.body == null ? "" : event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : String(event.body),
  };
}

export const handler = async (event, context) => {
  const req = request(event || {});
  const requestId = (context && context.awsRequestId) || randomUUID();
  console.log(JSON.stringify({ level: "INFO", method: req.method, path: req.path, requestId }));

  if (req.method === "GET" && req.path === "/health") return json(200, { status: "ok" });

  const item = req.path.match(/^\/items\/([0-9a-f]{16})$/);
  if (req.method === "GET" && item) return json(404, { error: "not found", id: item[1] });

  if (req.method === "POST" && req.path === "/items") {
    let data;
    try {
      data = JSON.parse(req.body || "null");
    } catch (e) {
      return json(400, { error: "body is not JSON", detail: e.message });
    }
    if (!data || typeof data !== "object" || typeof data.name !== "string") {
      return json(422, { error: "expected an object with a string `name`" });
    }
    const canonical = JSON.stringify(data, Object.keys(data).sort());
    const id = createHash("sha256").update(canonical).digest("hex").slice(0, 16);
    // A signed ETag, as an API would give clients for optimistic concurrency.
    const etag = createHmac("sha256", "example-etag-key").update(id + canonical).digest("base64url");
    return json(201, { id, name: data.name, tags: Array.isArray(data.tags) ? data.tags : [] }, { etag: `"${etag}"`, location: `/items/${id}` });
  }

  return json(404, { error: `no route for ${req.method} ${req.path}` });
};
