#!/usr/bin/env python3
"""A fake Heroku Platform API and data API for tests and benchmarks, serving fixture days.

Both APIs are served from one base URL on 127.0.0.1, so a client can be given the same
URL for the Platform API and for the data API. The fake follows the documented and
recorded behaviour of api.heroku.com and api.data.heroku.com where Docket depends on it:
Bearer (or Basic ":token") authentication, the versioned Accept header, Range
pagination, the token-bucket rate limit and Heroku's error bodies. A control API under
/_fake/ switches the fixture day, injects faults and reports request statistics.
See Fixtures/README.md for the switches and the control API.

Usage:
    python3 Fixtures/fake_heroku.py --data Fixtures/sample --day 1 [--port 0] [--port-file FILE]
    python3 Fixtures/fake_heroku.py --synthetic DIR --day 30
"""

import argparse
import base64
import bisect
import contextlib
import gc
import gzip
import json
import logging
import os
import re
import signal
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fixturelib.changes import apply_day  # noqa: E402
from fixturelib.common import read_day  # noqa: E402

LOG = logging.getLogger("fake_heroku")

DATA_API_PREFIXES = ("/client/v11/", "/data/", "/redis/v0/", "/postgres/v0/")
ACCEPT_PATTERN = re.compile(r"application/vnd\.heroku\+json\s*;\s*version=3(\.[A-Za-z0-9_-]+)?\s*(;|,|$)")
OAUTH_SCOPE = "read"
OAUTH_SCOPE_ACCEPTED = "global read read-protected write write-protected"
DEFAULT_PAGE_SIZE = 200
MAX_PAGE_SIZE = 1000
HTML_NOT_FOUND = "<h1>Not Found</h1>"
PAGE_CACHE_ENTRIES = 50000  # encoded list pages kept per day before the cache is emptied

ERRORS = {
    400: ("bad_request", "Invalid request."),
    401: ("unauthorized", "Invalid credentials provided."),
    402: ("delinquent", "This account is delinquent."),
    403: ("forbidden", "You do not have access to this resource."),
    404: ("not_found", "Couldn't find that resource."),
    405: ("method_not_allowed", "Only GET requests are supported by this fake API."),
    406: ("not_acceptable", "Please specify a version along with Heroku's API MIME type. "
                            "For example, `Accept: application/vnd.heroku+json; version=3`."),
    409: ("conflict", "A conflict occurred."),
    410: ("gone", "This resource is gone."),
    416: ("requested_range_not_satisfiable", "The requested Range is not satisfiable."),
    422: ("invalid_params", "Invalid parameters."),
    429: ("rate_limit", "Your account reached the API rate limit\n"
                        "Please wait a few minutes before making new requests"),
    500: ("internal_server_error", "Internal server error."),
    502: ("bad_gateway", "Bad gateway."),
    503: ("service_unavailable", "The API is temporarily unavailable."),
    504: ("gateway_timeout", "Gateway timeout."),
}

NOT_FOUND_MESSAGES = [
    (re.compile(r"^/(teams/)?apps/"), "Couldn't find that app."),
    (re.compile(r"^/addons/"), "Couldn't find that add-on."),
    (re.compile(r"^/teams/"), "Couldn't find that team."),
    (re.compile(r"^/spaces/"), "Couldn't find that space."),
    (re.compile(r"^/pipelines/"), "Couldn't find that pipeline."),
    (re.compile(r"^/(client/v11/databases|data/postgres/v1)/"), "Couldn't find that database."),
    (re.compile(r"^/redis/v0/databases/"), "Couldn't find that Redis database."),
]


def error_body(status, message=None):
    error_id, default_message = ERRORS.get(status, ("error", "Request failed."))
    body = {"id": error_id, "message": message or default_message}
    if status == 429:
        body["url"] = "https://devcenter.heroku.com/articles/platform-api-reference#rate-limits"
    return body


def encode(body):
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def is_data_api(path):
    return path.startswith(DATA_API_PREFIXES)


# ----- fixture days -----------------------------------------------------------


class DayState:
    """The responses of one fixture day: bodies, status overrides, name aliases and caches."""

    def __init__(self, day, files, statuses):
        self.day = day
        self.files = files
        self.statuses = statuses
        self.body_cache = {}
        self.sorted_cache = {}
        self.page_cache = {}  # (path, Range header) -> (status, body bytes, headers)
        self.lock = threading.Lock()
        self.aliases = self.build_aliases()

    def build_aliases(self):
        """Map resource names to ids, because Heroku accepts either in a path."""
        aliases = {}
        for kind, path in (("apps", "/apps"), ("teams", "/teams"), ("spaces", "/spaces"),
                           ("addons", "/addons"), ("pipelines", "/pipelines")):
            table = {}
            for item in self.files.get(path, []):
                if isinstance(item, dict) and item.get("name") and item.get("id"):
                    table[item["name"]] = item["id"]
            aliases[kind] = table
        account = self.files.get("/account") or {}
        aliases["users"] = {value: "~" for value in (account.get("email"), account.get("id")) if value}
        return aliases

    def canonical(self, path):
        """Rewrite names in a request path to ids, e.g. /apps/acme-api/domains -> /apps/<id>/domains."""
        parts = path.strip("/").split("/")

        def swap(index, kind):
            if len(parts) > index:
                parts[index] = self.aliases[kind].get(parts[index], parts[index])

        head = parts[0]
        if head == "apps":
            swap(1, "apps")
        elif head == "teams" and len(parts) > 2 and parts[1] == "apps":
            swap(2, "apps")
        elif head in ("teams", "spaces", "pipelines", "addons"):
            swap(1, head)
        elif head == "users":
            swap(1, "users")
        elif parts[:3] == ["client", "v11", "databases"] or parts[:3] == ["redis", "v0", "databases"] \
                or parts[:3] == ["postgres", "v0", "databases"] or parts[:3] == ["data", "postgres", "v1"]:
            swap(3, "addons")
        elif parts[:3] == ["client", "v11", "apps"]:
            swap(3, "apps")
        return "/" + "/".join(parts)

    def body_bytes(self, path):
        with self.lock:
            cached = self.body_cache.get(path)
        if cached is None:
            cached = encode(self.files[path])
            with self.lock:
                self.body_cache[path] = cached
        return cached

    def sorted_items(self, path, field):
        """Return (items sorted ascending by field, their sort keys), cached per day."""
        key = (path, field)
        with self.lock:
            cached = self.sorted_cache.get(key)
        if cached is None:
            items = self.files[path]
            keyed = sorted(((sort_key(item.get(field) if isinstance(item, dict) else None), index, item)
                            for index, item in enumerate(items)), key=lambda entry: (entry[0], entry[1]))
            cached = ([entry[2] for entry in keyed], [entry[0] for entry in keyed])
            with self.lock:
                self.sorted_cache[key] = cached
        return cached


def sort_key(value):
    if value is None:
        return (0, 0, "")
    if isinstance(value, bool):
        return (1, int(value), "")
    if isinstance(value, (int, float)):
        return (1, value, "")
    return (2, 0, str(value))


@contextlib.contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while building fixture data.

    Fixture bodies are acyclic JSON values, so reference counting frees them; without
    the pause, collections that scan every loaded body dominate the load time.
    Afterwards the surviving objects are frozen so later collections skip them.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


class StaticDays:
    """Day folders written in full (day-1, day-2, ...), all loaded into memory at start."""

    def __init__(self, data_dir):
        self.data_dir = data_dir
        self.days = {}
        for name in sorted(os.listdir(data_dir)):
            match = re.fullmatch(r"day-(\d+)", name)
            if match and os.path.isdir(os.path.join(data_dir, name)):
                day = int(match.group(1))
                with gc_paused():
                    files, statuses = read_day(os.path.join(data_dir, name))
                self.days[day] = DayState(day, files, statuses)
        if not self.days:
            raise SystemExit("no day-N folders found in %s" % data_dir)

    def available(self):
        return sorted(self.days)

    def state(self, day):
        return self.days[day]


class SyntheticDays:
    """A base day plus per-day change lists, applied when a day is requested.

    Layout: DIR/day-1/ (full day folder), DIR/changes/day-K.json.gz (the operations
    that turn day K-1 into day K) and DIR/manifest.json ({"days": N, ...}).
    """

    def __init__(self, data_dir):
        self.data_dir = data_dir
        with open(os.path.join(data_dir, "manifest.json"), encoding="utf-8") as handle:
            self.manifest = json.load(handle)
        started = time.monotonic()
        with gc_paused():
            files, statuses = read_day(os.path.join(data_dir, "day-1"))
        LOG.info("loaded synthetic base day: %d paths in %.1f s", len(files), time.monotonic() - started)
        self.base = DayState(1, files, statuses)
        self.current = self.base
        self.lock = threading.Lock()

    def available(self):
        return list(range(1, int(self.manifest["days"]) + 1))

    def load_changes(self, day):
        with gzip.open(os.path.join(self.data_dir, "changes", "day-%d.json.gz" % day), "rt", encoding="utf-8") as handle:
            return json.load(handle)

    def state(self, day):
        with self.lock, gc_paused():
            start = self.current if self.current.day <= day else self.base
            started = time.monotonic()
            files, statuses = start.files, start.statuses
            for step in range(start.day + 1, day + 1):
                changes = self.load_changes(step)
                files = apply_day(files, changes["files"], copy_values=False)
                statuses = apply_day({"/_status": statuses}, changes["statuses"], copy_values=False)["/_status"]
            if start.day != day:
                self.current = DayState(day, files, statuses)
                LOG.info("built synthetic day %d from day %d in %.1f s", day, start.day, time.monotonic() - started)
            else:
                self.current = start
            return self.current


# ----- rate limit, faults, statistics -----------------------------------------


class TokenBucket:
    """Heroku's per-account rate limit: `capacity` tokens, refilled continuously."""

    def __init__(self, capacity, refill_per_minute, remaining=None):
        self.lock = threading.Lock()
        self.capacity = float(capacity)
        self.refill_per_minute = float(refill_per_minute)
        self.tokens = float(capacity if remaining is None else remaining)
        self.updated = time.monotonic()

    def _refill(self):
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.refill_per_minute / 60.0)
        self.updated = now

    def take(self):
        """Take one token. Return (allowed, remaining tokens as an integer)."""
        with self.lock:
            self._refill()
            if self.tokens < 1.0:
                return False, 0
            self.tokens -= 1.0
            return True, int(self.tokens)

    def remaining(self):
        with self.lock:
            self._refill()
            return int(self.tokens)

    def configure(self, capacity=None, refill_per_minute=None, remaining=None):
        with self.lock:
            self._refill()
            if capacity is not None:
                self.capacity = float(capacity)
                self.tokens = min(self.tokens, self.capacity)
            if refill_per_minute is not None:
                self.refill_per_minute = float(refill_per_minute)
            if remaining is not None:
                self.tokens = min(float(remaining), self.capacity)

    def describe(self):
        with self.lock:
            self._refill()
            return {"capacity": self.capacity, "refill_per_minute": self.refill_per_minute,
                    "remaining": int(self.tokens)}


class Faults:
    """Injected failures, changed with PUT /_fake/config or command-line switches."""

    def __init__(self):
        self.lock = threading.Lock()
        self.clear()

    def clear(self):
        self.fail_429 = 0
        self.fail_500 = 0  # an integer count, or "always"
        self.fail_path = []  # [(pattern text, compiled regex, status)]
        self.slow_ms = 0
        self.truncate_path = None  # (pattern text, compiled regex)
        self.html_error_path = []  # [(pattern text, compiled regex, status)]
        self.broken_range_path = []  # [(pattern text, compiled regex, "repeat" or "empty")]
        self.unauthorized = False

    def describe(self):
        return {
            "fail_429": self.fail_429,
            "fail_500": self.fail_500,
            "fail_path": {text: status for text, _regex, status in self.fail_path},
            "html_error_path": {text: status for text, _regex, status in self.html_error_path},
            "broken_range_path": {text: mode for text, _regex, mode in self.broken_range_path},
            "slow_ms": self.slow_ms,
            "truncate_path": self.truncate_path[0] if self.truncate_path else None,
            "unauthorized": self.unauthorized,
        }

    def take_429(self):
        with self.lock:
            if self.fail_429 > 0:
                self.fail_429 -= 1
                return True
            return False

    def take_500(self):
        with self.lock:
            if self.fail_500 == "always":
                return True
            if self.fail_500 > 0:
                self.fail_500 -= 1
                return True
            return False


def compile_status_map(value, default_status):
    """Parse {regex: status} (or a bare regex, which gets default_status) into a list."""
    if value is None or value == "" or value == {}:
        return []
    if isinstance(value, str):
        value = {value: default_status}
    if not isinstance(value, dict):
        raise ValueError("expected a regex string or an object {regex: status}, got %r" % (value,))
    result = []
    for text, status in value.items():
        status = int(status)
        if not 100 <= status <= 599:
            raise ValueError("invalid HTTP status %r for %r" % (status, text))
        result.append((text, re.compile(text), status))
    return result


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.requests = 0
        self.by_path = {}
        self.by_method = {}
        self.by_status = {}
        self.in_flight = 0
        self.max_in_flight = 0

    def begin(self, method, path):
        with self.lock:
            self.requests += 1
            self.by_path[path] = self.by_path.get(path, 0) + 1
            self.by_method[method] = self.by_method.get(method, 0) + 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def end(self, status):
        with self.lock:
            self.in_flight -= 1
            key = str(status)
            self.by_status[key] = self.by_status.get(key, 0) + 1

    def describe(self):
        with self.lock:
            return {"by_method": dict(self.by_method), "by_path": dict(self.by_path),
                    "by_status": dict(self.by_status), "in_flight": self.in_flight,
                    "max_in_flight": self.max_in_flight, "requests": self.requests}


# ----- Range pagination -------------------------------------------------------


class RangeError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


RANGE_PATTERN = re.compile(r"^\s*(?P<field>[A-Za-z_][A-Za-z0-9_]*)?\s*(?P<bounds>[^;]*?)\s*(;(?P<options>.*))?$")


def parse_range(header, default_field):
    """Parse a Heroku Range header: `<field> [<start>]..[<end>]; max=N, order=desc`.

    Returns (field, start, start_exclusive, end, max, descending). Options may be
    separated by commas or semicolons, in any order.
    """
    match = RANGE_PATTERN.match(header)
    if not match:
        raise RangeError(400, "Invalid `Range` header: %r." % header)
    field = match.group("field") or default_field
    bounds = match.group("bounds") or ""
    if bounds and ".." not in bounds:
        # "name" alone was parsed as the field; "]x" alone has no "..": both are malformed.
        raise RangeError(400, "Invalid `Range` header: %r. Expected e.g. `id ..; max=200`." % header)
    start, _, end = bounds.partition("..") if bounds else ("", "", "")
    start = start.strip()
    end = end.strip()
    exclusive = start.startswith("]")
    if exclusive:
        start = start[1:]
    elif start.startswith("["):
        start = start[1:]
    if end.endswith("]") or end.endswith("["):
        end = end[:-1]
    page_size = DEFAULT_PAGE_SIZE
    descending = False
    for option in re.split(r"[;,]", match.group("options") or ""):
        option = option.strip()
        if not option:
            continue
        name, _, value = option.partition("=")
        name = name.strip()
        value = value.strip()
        if name == "max":
            if not value.isdigit() or int(value) < 1:
                raise RangeError(400, "Invalid `Range` header: max must be a positive integer, got %r." % value)
            page_size = min(int(value), MAX_PAGE_SIZE)
        elif name == "order":
            if value not in ("asc", "desc"):
                raise RangeError(400, "Invalid `Range` header: order must be asc or desc, got %r." % value)
            descending = value == "desc"
        else:
            raise RangeError(400, "Invalid `Range` header: unknown option %r." % name)
    return field, start or None, exclusive, end or None, page_size, descending


def accept_ranges(path, items):
    """Return the fields a list endpoint accepts in Range, first one being the default."""
    if re.fullmatch(r"/teams/[^/]+/members", path):
        return ["email"]
    if re.fullmatch(r"/apps/[^/]+/releases", path):
        return ["version"]
    if path in ("/apps", "/users/~/apps") or re.fullmatch(r"/teams/[^/]+/apps", path):
        return ["id", "name", "updated_at"]
    if path.endswith("/buildpack-installations"):
        # Installations have no id. "id" is still accepted (the order is then the
        # stored order) so that a client sending `id ..` on every list is not rejected.
        return ["ordinal", "id"]
    if any(isinstance(item, dict) and "name" in item for item in items[:1]):
        return ["id", "name"]
    return ["id"]


def typed_bound(text, keys):
    """Convert a Range bound to the sort-key form of the field's values."""
    if text is None:
        return None
    numeric = any(key[0] == 1 for key in keys)
    if numeric:
        try:
            return sort_key(float(text) if "." in text else int(text))
        except ValueError:
            raise RangeError(400, "Invalid `Range` header: %r is not a number." % text)
    return sort_key(text)


def paginate(state, path, range_header):
    """Return (status, page items, headers) for a list path, honouring Range."""
    items = state.files[path]
    fields = accept_ranges(path, items)
    if range_header:
        field, start, exclusive, end, page_size, descending = parse_range(range_header, fields[0])
    else:
        field, start, exclusive, end, page_size, descending = fields[0], None, False, None, DEFAULT_PAGE_SIZE, False
    if field not in fields:
        raise RangeError(416, "Range field %r is not supported here; Accept-Ranges: %s." % (field, ", ".join(fields)))

    ordered, keys = state.sorted_items(path, field)
    start_key = typed_bound(start, keys)
    end_key = typed_bound(end, keys)
    if not descending:
        low = 0 if start_key is None else (bisect.bisect_right(keys, start_key) if exclusive
                                           else bisect.bisect_left(keys, start_key))
        high = len(keys) if end_key is None else bisect.bisect_right(keys, end_key)
        selected = ordered[low:high]
    else:
        high = len(keys) if start_key is None else (bisect.bisect_left(keys, start_key) if exclusive
                                                    else bisect.bisect_right(keys, start_key))
        low = 0 if end_key is None else bisect.bisect_left(keys, end_key)
        selected = ordered[low:high][::-1]

    page = selected[:page_size]
    headers = {"Accept-Ranges": ", ".join(fields)}
    if page:
        first = page[0].get(field) if isinstance(page[0], dict) else None
        last = page[-1].get(field) if isinstance(page[-1], dict) else None
        headers["Content-Range"] = "%s %s..%s" % (field, "" if first is None else first, "" if last is None else last)
    status = 200
    if len(selected) > page_size:
        status = 206
        last = page[-1].get(field)
        options = "max=%d" % page_size + (", order=desc" if descending else "")
        headers["Next-Range"] = "%s ]%s..; %s" % (field, last, options)
    return status, page, headers


# ----- HTTP -------------------------------------------------------------------


class FakeHeroku:
    """Server-wide state shared by the request handlers."""

    def __init__(self, days, day, token, bucket, verbose=False):
        self.days = days
        self.token = token
        self.bucket = bucket
        self.faults = Faults()
        self.stats = Stats()
        self.verbose = verbose
        self.lock = threading.Lock()
        self.state = days.state(day)
        self.httpd = None

    def switch_day(self, day):
        if day not in self.days.available():
            raise ValueError("day %r is not available; available days: %s" % (day, self.days.available()))
        state = self.days.state(day)
        with self.lock:
            self.state = state
        LOG.info("serving fixture day %d", day)

    def current(self):
        with self.lock:
            return self.state

    def describe_config(self):
        config = {"day": self.current().day, "days": self.days.available(), "rate_limit": self.bucket.describe()}
        with self.faults.lock:
            config.update(self.faults.describe())
        return config

    def apply_config(self, changes):
        """Apply a PUT /_fake/config body. Raises ValueError naming the invalid key or value."""
        if not isinstance(changes, dict):
            raise ValueError("the config body must be a JSON object")
        known = {"day", "rate_limit", "fail_429", "fail_500", "fail_path", "slow_ms", "truncate_path",
                 "html_error_path", "broken_range_path", "unauthorized", "reset"}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ValueError("unknown config key(s) %s; valid keys: %s" % (", ".join(unknown), ", ".join(sorted(known))))
        if changes.get("reset"):
            with self.faults.lock:
                self.faults.clear()
            self.stats.reset()
            self.bucket.configure(remaining=self.bucket.capacity)
            LOG.info("faults and statistics reset")
        if "day" in changes:
            self.switch_day(int(changes["day"]))
        if "rate_limit" in changes:
            limit = changes["rate_limit"] or {}
            extra = sorted(set(limit) - {"capacity", "refill_per_minute", "remaining"})
            if extra:
                raise ValueError("unknown rate_limit key(s) %s; valid keys: capacity, refill_per_minute, remaining"
                                 % ", ".join(extra))
            self.bucket.configure(limit.get("capacity"), limit.get("refill_per_minute"), limit.get("remaining"))
        with self.faults.lock:
            faults = self.faults
            if "fail_429" in changes:
                faults.fail_429 = int(changes["fail_429"] or 0)
            if "fail_500" in changes:
                value = changes["fail_500"]
                faults.fail_500 = "always" if value == "always" else int(value or 0)
            if "fail_path" in changes:
                faults.fail_path = compile_status_map(changes["fail_path"], 500)
            if "html_error_path" in changes:
                faults.html_error_path = compile_status_map(changes["html_error_path"], 404)
            if "broken_range_path" in changes:
                faults.broken_range_path = compile_range_faults(changes["broken_range_path"])
            if "slow_ms" in changes:
                faults.slow_ms = max(0, int(changes["slow_ms"] or 0))
            if "truncate_path" in changes:
                text = changes["truncate_path"]
                faults.truncate_path = (text, re.compile(text)) if text else None
            if "unauthorized" in changes:
                faults.unauthorized = bool(changes["unauthorized"])
        LOG.info("config changed: %s", json.dumps({k: v for k, v in changes.items()}, sort_keys=True))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Buffer each response and send it in one write (flushed after every request),
    # and disable Nagle, so keep-alive clients do not wait on delayed ACKs.
    wbufsize = 256 * 1024
    disable_nagle_algorithm = True

    def version_string(self):
        return "fake-heroku/1.0"

    @property
    def app(self):
        return self.server.fake

    def log_message(self, format, *args):  # noqa: A002 (the base class names it so)
        if self.app.verbose:
            LOG.info("%s %s", self.address_string(), format % args)

    # ----- responses ---------------------------------------------------------

    def send_body(self, status, body, headers=None, platform=True, truncate=False, content_type="application/json"):
        """Send one response. `body` is bytes or a JSON-serialisable value."""
        if not isinstance(body, (bytes, bytearray)):
            body = encode(body) if not isinstance(body, str) else body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Request-Id", str(uuid.uuid4()))
        self.send_header("RateLimit-Remaining", str(self.rate_remaining))
        self.send_header("Cache-Control", "private, no-cache")
        if platform:
            self.send_header("Oauth-Scope", OAUTH_SCOPE)
            self.send_header("Oauth-Scope-Accepted", OAUTH_SCOPE_ACCEPTED)
            self.send_header("Vary", "Authorization,Accept-Encoding")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.status_sent = status
        if self.command == "HEAD":
            return
        if truncate:
            # Promise the full Content-Length, send half of the body, then close the connection.
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def send_broken_page(self, items, mode, range_header):
        """Answer a list the way a broken paginator would: "repeat" sends the first item with
        a Next-Range equal to the request's Range, forever; "empty" sends an empty 206 page
        that still names a Next-Range."""
        next_range = range_header or "id ..; max=200"
        if mode == "empty":
            self.send_body(206, [], headers={"Next-Range": "id ]zzzz..; max=200"})
        else:
            self.send_body(206, items[:1], headers={"Next-Range": next_range})

    def send_error_body(self, status, message=None, platform=True, headers=None):
        self.send_body(status, error_body(status, message), headers=headers, platform=platform)

    # ----- request entry points ----------------------------------------------

    def do_GET(self):
        self.dispatch()

    def do_HEAD(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_PATCH(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def read_request_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def dispatch(self):
        self.rate_remaining = self.app.bucket.remaining()
        self.status_sent = 0
        split = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(split.path)
        if len(path) > 1 and path.endswith("/"):
            path = path.rstrip("/")
        request_body = self.read_request_body()
        if path.startswith("/_fake/") or path == "/_fake":
            self.handle_control(path, request_body)
            return
        self.app.stats.begin(self.command, path)
        try:
            self.handle_api(path)
        except (BrokenPipeError, ConnectionResetError) as error:
            LOG.info("client closed the connection during %s %s: %s", self.command, path, error)
            self.close_connection = True
        except Exception:  # noqa: BLE001 (a fake must answer 500 and keep serving)
            LOG.exception("error while answering %s %s", self.command, path)
            if not self.status_sent:
                self.send_error_body(500, platform=not is_data_api(path))
        finally:
            self.app.stats.end(self.status_sent)

    # ----- control API -------------------------------------------------------

    def handle_control(self, path, request_body):
        app = self.app
        if path == "/_fake/stats" and self.command == "GET":
            self.send_body(200, app.stats.describe(), platform=False)
        elif path == "/_fake/config" and self.command == "GET":
            self.send_body(200, app.describe_config(), platform=False)
        elif path == "/_fake/config" and self.command in ("PUT", "POST", "PATCH"):
            try:
                changes = json.loads(request_body.decode("utf-8") or "{}")
                app.apply_config(changes)
            except (ValueError, re.error, TypeError) as error:
                LOG.warning("rejected config change: %s", error)
                self.send_body(400, {"id": "bad_request", "message": str(error)}, platform=False)
                return
            self.send_body(200, app.describe_config(), platform=False)
        elif path == "/_fake/shutdown" and self.command == "POST":
            self.send_body(200, {"message": "shutting down"}, platform=False)
            self.wfile.flush()  # the process may exit before the handler's own flush
            self.close_connection = True
            LOG.info("shutdown requested through the control API")
            threading.Thread(target=self.server.shutdown, daemon=True).start()
        else:
            self.send_body(404, {"id": "not_found", "message": "Unknown control endpoint %s %s. Use GET /_fake/stats, "
                                 "GET or PUT /_fake/config, POST /_fake/shutdown." % (self.command, path)},
                           platform=False)

    # ----- the fake Heroku API -----------------------------------------------

    def authorized(self):
        header = self.headers.get("Authorization") or ""
        scheme, _, credentials = header.partition(" ")
        credentials = credentials.strip()
        if scheme.lower() == "bearer":
            return credentials == self.app.token
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(credentials).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                return False
            return decoded.partition(":")[2] == self.app.token
        return False

    def handle_api(self, path):
        app = self.app
        faults = app.faults
        platform = not is_data_api(path)
        with faults.lock:
            slow_ms = faults.slow_ms
            unauthorized = faults.unauthorized
            fail_path = list(faults.fail_path)
            html_error_path = list(faults.html_error_path)
            truncate = faults.truncate_path
            broken_range = list(faults.broken_range_path)
        if slow_ms:
            time.sleep(slow_ms / 1000.0)

        if unauthorized or not self.authorized():
            self.send_error_body(401, platform=platform)
            return
        if platform and not ACCEPT_PATTERN.search(self.headers.get("Accept") or ""):
            self.send_error_body(406, platform=platform)
            return
        if faults.take_429():
            self.rate_remaining = 0
            self.send_error_body(429, platform=platform)
            return
        if path != "/account/rate-limits":
            allowed, self.rate_remaining = app.bucket.take()
            if not allowed:
                self.send_error_body(429, platform=platform)
                return
        if faults.take_500():
            self.send_error_body(500, platform=platform)
            return
        for _text, regex, status in fail_path:
            if regex.search(path):
                self.send_error_body(status, platform=platform)
                return
        for _text, regex, status in html_error_path:
            if regex.search(path):
                self.send_body(status, HTML_NOT_FOUND, platform=platform)
                return
        if self.command not in ("GET", "HEAD"):
            self.send_error_body(405, "Only GET requests are supported by this fake API; got %s." % self.command,
                                 platform=platform)
            return

        truncate_this = bool(truncate and truncate[1].search(path))
        if path == "/account/rate-limits":
            self.send_body(200, {"remaining": app.bucket.remaining()}, platform=True, truncate=truncate_this)
            return

        state = app.current()
        canonical = state.canonical(path)
        override = state.statuses.get(canonical)
        if override is not None:
            self.send_body(override["status"], override["body"], platform=platform, truncate=truncate_this,
                           content_type=override.get("content_type", "application/json"))
            return
        if canonical not in state.files:
            message = next((text for pattern, text in NOT_FOUND_MESSAGES if pattern.search(canonical)), None)
            self.send_error_body(404, message, platform=platform)
            return

        body = state.files[canonical]
        if isinstance(body, list) and platform:
            range_header = self.headers.get("Range")
            for _text, regex, mode in broken_range:
                if regex.search(path):
                    self.send_broken_page(body, mode, range_header)
                    return
            cache_key = (canonical, range_header)
            with state.lock:
                cached = state.page_cache.get(cache_key)
            if cached is None:
                try:
                    status, page, headers = paginate(state, canonical, range_header)
                except RangeError as error:
                    fields = ", ".join(accept_ranges(canonical, body))
                    self.send_error_body(error.status, error.message, platform=platform, headers={"Accept-Ranges": fields})
                    return
                cached = (status, encode(page), headers)
                with state.lock:
                    if len(state.page_cache) >= PAGE_CACHE_ENTRIES:
                        state.page_cache.clear()
                    state.page_cache[cache_key] = cached
            status, page_bytes, headers = cached
            self.send_body(status, page_bytes, headers=headers, platform=platform, truncate=truncate_this)
            return
        self.send_body(200, state.body_bytes(canonical), platform=platform, truncate=truncate_this)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512

    def handle_error(self, request, client_address):
        """Log a client that hung up in one line; log other errors with their traceback."""
        error = sys.exc_info()[1]
        if isinstance(error, (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)):
            LOG.info("client %s:%s closed the connection early: %s", client_address[0], client_address[1], error)
            return
        LOG.exception("error while serving %s:%s", client_address[0], client_address[1])


# ----- command line -----------------------------------------------------------


def compile_range_faults(value):
    """Parse {regex: "repeat" | "empty"} into [(text, regex, mode)]."""
    if not value:
        return []
    if not isinstance(value, dict) or any(mode not in ("repeat", "empty") for mode in value.values()):
        raise ValueError('broken_range_path must map path regexes to "repeat" or "empty"')
    return [(text, re.compile(text), mode) for text, mode in value.items()]


def parse_status_pairs(values, default_status):
    """Turn ["REGEX=STATUS", "REGEX"] command-line values into {regex: status}."""
    result = {}
    for value in values or []:
        text, separator, status = value.rpartition("=")
        if separator and status.isdigit():
            result[text] = int(status)
        else:
            result[value] = default_status
    return result


def count_or_always(text):
    if text == "always" or text.isdigit():
        return text
    raise argparse.ArgumentTypeError("invalid value %r: expected a non-negative integer or 'always'" % text)


def build_parser():
    parser = argparse.ArgumentParser(description="Serve fixture days as a fake Heroku Platform API and data API on 127.0.0.1.")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", help="folder with day-1, day-2, ... folders and a token file (e.g. Fixtures/sample)")
    source.add_argument("--synthetic", help="folder written by make_synthetic.py (base day plus change lists)")
    parser.add_argument("--day", type=int, default=1, help="fixture day to serve at start (default 1)")
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1; 0 picks a free port (default 0)")
    parser.add_argument("--port-file", help="write the bound port number to this file once listening")
    parser.add_argument("--token", help="API token to accept (default: contents of <data>/token)")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    parser.add_argument("--rate-capacity", type=float, default=4500, help="rate-limit bucket size in requests (default 4500)")
    parser.add_argument("--rate-refill-per-minute", type=float, default=75,
                        help="tokens added to the bucket per minute, continuously (default 75)")
    parser.add_argument("--rate-remaining", type=float, help="tokens in the bucket at start (default: --rate-capacity)")
    parser.add_argument("--fail-429", type=int, default=0, help="respond to the next N API requests with 429")
    parser.add_argument("--fail-500", default="0", type=count_or_always,
                        help="respond to the next N API requests with 500, or to all with 'always'")
    parser.add_argument("--fail-path", action="append", metavar="REGEX=STATUS",
                        help="respond to paths matching REGEX with STATUS (default 500) and a Heroku error body; repeatable")
    parser.add_argument("--slow-ms", type=int, default=0, help="sleep this many milliseconds before each API response")
    parser.add_argument("--truncate-path", metavar="REGEX",
                        help="for matching paths, send the full Content-Length but only half the body, then close")
    parser.add_argument("--html-error-path", action="append", metavar="REGEX[=STATUS]",
                        help="respond to matching paths with STATUS (default 404) and body <h1>Not Found</h1> "
                             "and Content-Type application/json; repeatable")
    parser.add_argument("--unauthorized", action="store_true", help="respond to every API request with 401")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s fake_heroku %(levelname)s %(message)s")

    data_dir = args.data or args.synthetic
    days = StaticDays(data_dir) if args.data else SyntheticDays(data_dir)
    if args.day not in days.available():
        raise SystemExit("day %d is not available in %s; available days: %s" % (args.day, data_dir, days.available()))
    token = args.token
    if token is None:
        token_file = os.path.join(data_dir, "token")
        try:
            with open(token_file, encoding="utf-8") as handle:
                token = handle.read().strip()
        except OSError as error:
            raise SystemExit("cannot read the API token from %s (%s); pass --token" % (token_file, error))

    bucket = TokenBucket(args.rate_capacity, args.rate_refill_per_minute, args.rate_remaining)
    fake = FakeHeroku(days, args.day, token, bucket, verbose=args.verbose)
    fail_500 = "always" if args.fail_500 == "always" else int(args.fail_500)
    fake.apply_config({
        "fail_429": args.fail_429, "fail_500": fail_500, "slow_ms": args.slow_ms,
        "fail_path": parse_status_pairs(args.fail_path, 500),
        "html_error_path": parse_status_pairs(args.html_error_path, 404),
        "truncate_path": args.truncate_path, "unauthorized": args.unauthorized,
    })

    httpd = Server(("127.0.0.1", args.port), Handler)
    httpd.fake = fake
    port = httpd.server_address[1]
    if args.port_file:
        temporary = args.port_file + ".tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write("%d\n" % port)
        os.replace(temporary, args.port_file)

    def stop(signum, _frame):
        LOG.info("received signal %d, shutting down", signum)
        threading.Thread(target=httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    print("listening on http://127.0.0.1:%d" % port, flush=True)
    LOG.info("serving %s day %d on 127.0.0.1:%d", data_dir, args.day, port)
    try:
        httpd.serve_forever(poll_interval=0.2)
    finally:
        httpd.server_close()
        LOG.info("stopped")


if __name__ == "__main__":
    main()
