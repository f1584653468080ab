#!/usr/bin/env python3
"""No response leaks another user's data: run by scripts/api-fuzz.sh against a running
`kexie serve --demo`.

xujianguo (project office) uploads a PDF and starts 重大项目决策参与 with it and marked
texts; liming, who takes no part in it, then asks for the instance, its audit log, an
action on it, the file (with and without ?instance=) and his own lists. Every answer about
the instance or the file must be 403 or 404 in the error shape, and no body may carry the
marker, the file's content or the instance id. As a control, xujianguo sees the marker.

    scripts/api_leaks.py http://127.0.0.1:PORT
"""

import hashlib
import json
import sys
import urllib.error
import urllib.request
import uuid

BASE = sys.argv[1].rstrip("/")
MARKER = f"leak-marker-{uuid.uuid4().hex}"
failures = []


def call(method, path, token=None, body=None, headers=None):
    data = None
    headers = dict(headers or {})
    if token:
        headers["authorization"] = f"Bearer {token}"
    if isinstance(body, bytes):
        data = body
    elif body is not None:
        data = json.dumps(body).encode()
        headers["content-type"] = "application/json"
    request = urllib.request.Request(BASE + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def token(user):
    status, body = call("POST", "/demo/token", body={"user": user})
    assert status == 200, (user, status, body)
    return json.loads(body)["token"]


def error_shaped(body):
    try:
        error = json.loads(body)["error"]
        return isinstance(error["code"], str) and {"zh", "en"} <= set(error["message"])
    except (ValueError, KeyError, TypeError):
        return False


owner, other = token("xujianguo"), token("liming")

content = f"%PDF-1.4 {MARKER} content".encode()
sha = hashlib.sha256(content).hexdigest()
status, body = call("POST", "/api/v1/attachments", owner, content,
                    {"content-type": "application/pdf", "x-file-name": f"{MARKER}.pdf"})
assert status == 201, (status, body)
meta = json.loads(body)
form = {"project_name": MARKER, "summary": f"{MARKER} summary", "feasibility_report": meta}
status, body = call("POST", "/api/v1/instances", owner, {"workflow": "major-project", "form": form})
assert status == 201, (status, body)
instance = json.loads(body)["id"]

status, body = call("GET", f"/api/v1/instances/{instance}", owner)
if status != 200 or MARKER.encode() not in body:
    failures.append(f"control: the owner does not see the marker in the instance ({status})")

secrets = [MARKER.encode(), sha.encode(), instance.encode(), content]
probes = [
    ("GET", f"/api/v1/instances/{instance}", None, True),
    ("GET", f"/api/v1/instances/{instance}/audit", None, True),
    ("POST", f"/api/v1/instances/{instance}/actions",
     {"request_id": "leak-1", "revision": 1, "action": {"action": "submit"}}, True),
    ("GET", f"/api/v1/attachments/{sha}", None, True),
    ("GET", f"/api/v1/attachments/{sha}?instance={instance}", None, True),
    ("GET", "/api/v1/tasks", None, False),
    ("GET", "/api/v1/started", None, False),
    ("GET", "/api/v1/cc", None, False),
]
for method, path, body_in, refused in probes:
    status, body = call(method, path, other, body_in)
    label = f"liming {method} {path.replace(instance, '<id>').replace(sha, '<sha>')}"
    if refused and (status not in (403, 404) or not error_shaped(body)):
        failures.append(f"{label}: {status}, expected 403/404 in the error shape")
    if not refused and status != 200:
        failures.append(f"{label}: {status}, expected 200")
    # An error names the instance id the caller sent (e.g. in a not-found message); only
    # the form's content and the file must never come back.
    for secret in secrets if not refused else [MARKER.encode(), content]:
        if secret in body:
            failures.append(f"{label}: the body carries {secret[:40]!r}")
    print(f"{label}: {status}")

status, body = call("GET", f"/api/v1/instances/{instance}/audit", owner)
if status != 200:
    failures.append(f"control: the owner cannot read the audit log ({status})")

if failures:
    print("LEAKS:\n  " + "\n  ".join(failures))
    sys.exit(1)
print(f"no leak: {len(probes)} requests by another user, none carries the owner's data")
