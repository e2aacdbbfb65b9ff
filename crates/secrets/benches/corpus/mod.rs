//! A generated serverless source tree for the secrets benchmarks: handlers in Python and
//! JavaScript, YAML and JSON config, `.env` files. `realistic` is code as people write it, with
//! the occasional keyword (`token`, `password`, `key`) mostly bound to references; `dense` puts a
//! keyword assignment on nearly every line, the worst case for the keyword path. `planted` adds
//! a known set of fake secrets for the findings comparison.

/// xorshift64*: deterministic, so every run and both tools see the same bytes.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next_u64() % xs.len() as u64) as usize]
    }

    fn token(&mut self, n: usize, alphabet: &[u8]) -> String {
        (0..n).map(|_| alphabet[(self.next_u64() % alphabet.len() as u64) as usize] as char).collect()
    }
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const WORDS: &[&str] = &[
    "order", "user", "item", "bucket", "record", "payload", "result", "message", "body", "event", "customer", "invoice", "table", "queue",
    "count", "status", "price", "region", "stage", "batch",
];

const PY: &[&str] = &[
    "import json\nimport os\nimport boto3\n",
    "s3 = boto3.client(\"s3\")\ntable = boto3.resource(\"dynamodb\").Table(os.environ[\"TABLE_NAME\"])\n",
    "def handler(event, context):\n    body = json.loads(event.get(\"body\") or \"{}\")\n",
    "    for record in event[\"Records\"]:\n        key = record[\"s3\"][\"object\"][\"key\"]\n        obj = s3.get_object(Bucket=BUCKET, Key=key)\n",
    "    {w} = body.get(\"{w}\", [])\n    if not {w}:\n        return {{\"statusCode\": 400, \"body\": json.dumps({{\"error\": \"missing {w}\"}})}}\n",
    "    token = event[\"headers\"].get(\"authorization\", \"\")\n    if not verify(token):\n        return {{\"statusCode\": 401}}\n",
    "    table.put_item(Item={{\"pk\": {w}[\"id\"], \"sk\": \"{w}#\" + str({w}[\"ts\"]), \"status\": \"new\"}})\n",
    "    logger.info(\"processed %d {w}s in %s\", len({w}), context.aws_request_id)\n    return {{\"statusCode\": 200, \"body\": json.dumps(result)}}\n",
    "\n\ndef _{w}_total(items):\n    # Sum the line totals; prices are integers in cents.\n    return sum(i[\"price\"] * i[\"qty\"] for i in items)\n",
    "password = os.environ[\"DB_PASSWORD\"]\nconn = psycopg2.connect(host=DB_HOST, user=\"app\", password=password, dbname=\"{w}s\")\n",
];

const JS: &[&str] = &[
    "'use strict';\nconst AWS = require('aws-sdk');\nconst s3 = new AWS.S3();\n",
    "exports.handler = async (event) => {{\n  const body = JSON.parse(event.body || '{{}}');\n",
    "  const {w}s = await db.query('SELECT * FROM {w}s WHERE id = $1', [body.id]);\n  if ({w}s.rows.length === 0) return {{ statusCode: 404 }};\n",
    "  for (const key of Object.keys(body)) {{\n    if (!allowed.includes(key)) delete body[key];\n  }}\n",
    "  const token = event.headers.Authorization || event.headers.authorization;\n  const claims = await verifyJwt(token, process.env.JWT_ISSUER);\n",
    "  await s3.putObject({{ Bucket: process.env.BUCKET, Key: `{w}s/${{id}}.json`, Body: JSON.stringify({w}) }}).promise();\n",
    "  return {{ statusCode: 200, headers: {{ 'Content-Type': 'application/json' }}, body: JSON.stringify({{ {w}: result }}) }};\n}};\n",
    "\nfunction format{w}(x) {{\n  // Keep two decimals; the UI rounds again.\n  return (Math.round(x * 100) / 100).toFixed(2);\n}}\n",
];

const YAML: &[&str] = &[
    "service: {w}-service\nframeworkVersion: '3'\n",
    "provider:\n  name: aws\n  runtime: nodejs20.x\n  region: eu-west-1\n  environment:\n    TABLE_NAME: ${{self:service}}-{w}s\n    API_TOKEN: ${{ssm:/{w}/api-token}}\n",
    "functions:\n  {w}:\n    handler: src/{w}.handler\n    events:\n      - httpApi:\n          path: /{w}s\n          method: post\n",
    "resources:\n  Resources:\n    {w}Table:\n      Type: AWS::DynamoDB::Table\n      Properties:\n        BillingMode: PAY_PER_REQUEST\n        KeySchema:\n          - AttributeName: pk\n            KeyType: HASH\n",
];

const DENSE: &[&str] = &[
    "api_key = os.environ[\"{W}_API_KEY\"]\n",
    "const token = process.env.{W}_TOKEN;\n",
    "    password: ${{ssm:/{w}/db/password}}\n",
    "secret_name = \"{w}/prod/secret\"\n",
    "{W}_PASSWORD=${{{W}_PASSWORD}}\n",
    "auth_header = request.headers.get(\"Authorization\")\n",
    "for key in sorted({w}.keys()):\n",
    "\"{w}Token\": \"<your-{w}-token>\",\n",
    "client_secret = get_secret(\"{w}-client-secret\")\n",
    "if not token:\n    pass\n",
];

fn fill(template: &str, rng: &mut Rng) -> String {
    let w = rng.pick(WORDS);
    template.replace("{w}", w).replace("{W}", &w.to_ascii_uppercase()).replace("{{", "{").replace("}}", "}")
}

/// One file of the given flavour, about `size` bytes.
pub fn file(rng: &mut Rng, templates: &[&str], size: usize) -> String {
    let mut out = String::with_capacity(size + 256);
    while out.len() < size {
        out.push_str(&fill(rng.pick(templates), rng));
    }
    out
}

/// Realistic files: (relative path, contents), about `total` bytes in all.
pub fn realistic(seed: u64, total: usize) -> Vec<(String, String)> {
    let mut rng = Rng::new(seed);
    let mut files = Vec::new();
    let mut bytes = 0;
    let mut n = 0;
    while bytes < total {
        let size = 2_000 + (rng.next_u64() % 30_000) as usize;
        let (path, templates) = match rng.next_u64() % 10 {
            0..=4 => (format!("services/svc{}/src/handler_{n}.py", n % 97), PY),
            5..=8 => (format!("services/svc{}/src/handler_{n}.js", n % 97), JS),
            _ => (format!("services/svc{}/serverless_{n}.yml", n % 97), YAML),
        };
        let text = file(&mut rng, templates, size);
        bytes += text.len();
        files.push((path, text));
        n += 1;
    }
    files
}

/// Keyword on nearly every line: about `total` bytes.
pub fn dense(seed: u64, total: usize) -> Vec<(String, String)> {
    let mut rng = Rng::new(seed);
    (0..total.div_ceil(16_384)).map(|n| (format!("dense/config_{n}.py"), file(&mut rng, DENSE, 16_384))).collect()
}

/// Fake secrets, one per file, each in a realistic line: (path, contents). Every one of them is
/// a credential a reviewer would want reported.
pub fn planted(seed: u64) -> Vec<(String, String)> {
    let mut rng = Rng::new(seed);
    let b32 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let b64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let hex = b"0123456789abcdef";
    let lines = vec![
        (
            "planted/aws.py",
            format!("AWS_ACCESS_KEY_ID = \"AKIA{}\"\nAWS_SECRET_ACCESS_KEY = \"{}\"\n", rng.token(16, b32), rng.token(40, b64)),
        ),
        ("planted/github.js", format!("const octokit = new Octokit({{ auth: 'ghp_{}' }});\n", rng.token(36, ALNUM))),
        (
            "planted/slack.py",
            format!(
                "SLACK_BOT_TOKEN = \"xoxb-{}-{}-{}\"\n",
                rng.token(11, b"0123456789"),
                rng.token(13, b"0123456789"),
                rng.token(24, ALNUM)
            ),
        ),
        ("planted/stripe.py", format!("stripe.api_key = \"sk_live_{}\"\n", rng.token(24, ALNUM))),
        ("planted/sendgrid.js", format!("sgMail.setApiKey('SG.{}.{}');\n", rng.token(22, ALNUM), rng.token(43, ALNUM))),
        ("planted/gcp.js", format!("const MAPS_KEY = 'AIza{}';\n", rng.token(35, ALNUM))),
        ("planted/twilio.env", format!("TWILIO_AUTH_TOKEN={}\n", rng.token(32, hex))),
        (
            "planted/db.env",
            format!("DATABASE_URL=postgres://orders:{}@orders.cluster-abc.eu-west-1.rds.amazonaws.com:5432/orders\n", rng.token(18, ALNUM)),
        ),
        ("planted/password.yml", format!("smtp:\n  host: smtp.mailgun.org\n  password: {}\n", rng.token(16, ALNUM))),
        ("planted/apikey.py", format!("API_KEY = \"{}\"\n", rng.token(32, ALNUM))),
        (
            "planted/key.pem",
            format!("-----BEGIN RSA PRIVATE KEY-----\n{}\n{}\n-----END RSA PRIVATE KEY-----\n", rng.token(64, b64), rng.token(64, b64)),
        ),
        ("planted/npm.js", format!("const NPM = 'npm_{}';\n", rng.token(36, ALNUM))),
    ];
    lines.into_iter().map(|(p, t)| (p.to_string(), t)).collect()
}
