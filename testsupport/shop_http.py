"""HTTP helpers shared by the Python test suites (apitests/, compose/tests/ and compose/test's checkout),
standard library only so that a plain python3 can run them too."""
import json
import urllib.error
import urllib.request


def http_json(method, url, body=None, token=None, headers=None, timeout=30):
    """One request; returns (status, parsed JSON or None). Never raises for an HTTP status."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, None
