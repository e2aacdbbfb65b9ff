const https = require("https");

function fetchPage(target) {
  return new Promise((resolve, reject) => {
    https.get(target, (res) => {
      let body = "";
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve(body));
    }).on("error", reject);
  });
}

exports.handler = async (event) => {
  const { url } = event.queryStringParameters || {};
  const html = await fetchPage(url);
  const title = (html.match(/<title>(.*?)<\/title>/) || [])[1] || "";
  return { statusCode: 200, body: JSON.stringify({ title }) };
};
