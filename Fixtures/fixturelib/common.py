"""Deterministic ids, Heroku timestamp formats and day-folder input/output."""

import base64
import datetime as dt
import hashlib
import json
import os
import uuid

# A day folder maps request paths to files: "/apps/<id>/domains" is stored as
# "apps/<id>/domains.json". This file is not an API path. It contains, keyed by path,
# the responses that are not plain 200 JSON bodies (status, content type, raw body).
STATUS_FILE = "_status.json"

UTC = dt.timezone.utc


def uid(*parts):
    """Return a UUID string derived from the parts, shaped like a random (version 4) UUID."""
    digest = hashlib.sha256("/".join(str(part) for part in parts).encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def hexdigest(*parts, length=16):
    """Return `length` lowercase hex characters derived from the parts."""
    return hashlib.sha256("/".join(str(part) for part in parts).encode()).hexdigest()[:length]


def number(low, high, *parts):
    """Return an integer in [low, high] derived from the parts."""
    digest = hashlib.sha256("/".join(str(part) for part in parts).encode()).digest()
    return low + int.from_bytes(digest[:8], "big") % (high - low + 1)


def iso(moment):
    """Format a datetime as the Platform API does: 2026-03-25T06:00:00Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def data_api_time(moment):
    """Format a datetime as the data API transfer endpoints do: 2026-03-25 06:00:00 +0000."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S +0000")


def data_api_created(moment):
    """Format a datetime as the data API database `created_at`: 2024-05-02T10:11:12.123+00:00."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03d+00:00" % (moment.microsecond // 1000)


def parse_iso(text):
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def fake_pem(*parts, blocks=2):
    """Return a PEM-looking certificate chain of `blocks` certificates derived from the parts.

    The base64 content is random-looking bytes, not a parseable certificate.
    """
    pems = []
    for index in range(blocks):
        raw = b"".join(
            hashlib.sha256(("/".join(str(p) for p in parts) + "/%d/%d" % (index, n)).encode()).digest()
            for n in range(24)
        )
        text = base64.b64encode(raw).decode()
        lines = [text[i:i + 64] for i in range(0, len(text), 64)]
        pems.append("-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n")
    return "".join(pems)


def dumps_file(body):
    """Serialise a body the way fixture files are stored: sorted keys, 2-space indent, final newline."""
    return json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def path_to_file(day_dir, path):
    """Map a request path such as /apps/<id>/domains to its file inside a day folder."""
    return os.path.join(day_dir, *path.strip("/").split("/")) + ".json"


def write_day(day_dir, files, statuses=None):
    """Write one day folder: one JSON file per path, plus the status file when needed."""
    for path, body in files.items():
        target = path_to_file(day_dir, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(dumps_file(body))
    if statuses:
        with open(os.path.join(day_dir, STATUS_FILE), "w", encoding="utf-8") as handle:
            handle.write(dumps_file(statuses))


def read_day(day_dir):
    """Read a day folder and return (files, statuses).

    files maps request paths to parsed JSON bodies. statuses maps request paths to
    {"status", "content_type", "body"} responses that override or add to files.
    """
    files = {}
    statuses = {}
    for root, _dirs, names in os.walk(day_dir):
        for name in names:
            if not name.endswith(".json"):
                continue
            full = os.path.join(root, name)
            relative = os.path.relpath(full, day_dir)
            with open(full, encoding="utf-8") as handle:
                body = json.load(handle)
            if relative == STATUS_FILE:
                statuses = body
                continue
            path = "/" + relative[: -len(".json")].replace(os.sep, "/")
            files[path] = body
    return files, statuses
