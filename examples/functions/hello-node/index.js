// Benign: greets whoever the event names (CommonJS module, async handler).
"use strict";

exports.handler = async (event, context) => {
  const name = event && typeof event.name === "string" && event.name ? event.name.slice(0, 100) : "world";
  const message = `Hello, ${name}!`;
  console.log(JSON.stringify({ level: "INFO", message, requestId: context && context.awsRequestId }));
  return { greeting: message };
};
