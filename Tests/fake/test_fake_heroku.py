"""Tests for Fixtures/fake_heroku.py, run against a real server process on 127.0.0.1.

Run: python3 -m unittest discover -s Tests/fake -v
"""

import base64
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "Fixtures")
SAMPLE = os.path.join(FIXTURES, "sample")
TOKEN = open(os.path.join(SAMPLE, "token"), encoding="utf-8").read().strip()
ACCEPT = "application/vnd.heroku+json; version=3"


def start_server(*extra):
    """Start the fake on a free port; return (process, base URL)."""
    port_file = tempfile.NamedTemporaryFile(delete=False)
    port_file.close()
    os.unlink(port_file.name)
    process = subprocess.Popen(
        [sys.executable, os.path.join(FIXTURES, "fake_heroku.py"), "--data", SAMPLE, "--port-file", port_file.name]
        + list(extra),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline().strip()
    if not line.startswith("listening on http://127.0.0.1:"):
        process.kill()
        raise RuntimeError("fake did not start: %r %s" % (line, process.stderr.read()))
    with open(port_file.name, encoding="utf-8") as handle:
        port = int(handle.read())
    os.unlink(port_file.name)
    url = line.split()[-1]
    assert url.endswith(":%d" % port), (url, port)
    return process, url


class FakeTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.process, cls.url = start_server()
        cls.host, cls.port = cls.url[len("http://"):].split(":")

    @classmethod
    def tearDownClass(cls):
        cls.control("POST", "/_fake/shutdown")
        cls.process.wait(timeout=10)
        cls.process.stdout.close()
        cls.process.stderr.close()

    def setUp(self):
        self.configure({"reset": True, "day": 1})

    @classmethod
    def control(cls, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(cls.url + path, data=data, method=method)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    @classmethod
    def configure(cls, body):
        return cls.control("PUT", "/_fake/config", body)

    def get(self, path, headers=None, token=TOKEN, accept=ACCEPT):
        """GET path; return (status, headers dict with lower-case names, raw body)."""
        connection = http.client.HTTPConnection(self.host, int(self.port), timeout=30)
        sent = {}
        if token is not None:
            sent["Authorization"] = "Bearer " + token
        if accept is not None:
            sent["Accept"] = accept
        sent.update(headers or {})
        connection.request("GET", path, headers=sent)
        response = connection.getresponse()
        body = response.read()
        result = (response.status, {k.lower(): v for k, v in response.getheaders()}, body)
        connection.close()
        return result

    def get_json(self, path, **kwargs):
        status, headers, body = self.get(path, **kwargs)
        return status, headers, json.loads(body)

    def walk(self, path, range_header):
        """Follow Next-Range from range_header; return (statuses, items)."""
        statuses, items = [], []
        while True:
            status, headers, body = self.get_json(path, headers={"Range": range_header})
            statuses.append(status)
            items.extend(body)
            if "next-range" not in headers:
                return statuses, items
            range_header = headers["next-range"]


class PaginationTest(FakeTestCase):
    def test_name_pages_of_two(self):
        statuses, items = self.walk("/apps", "name ..; max=2")
        names = [item["name"] for item in items]
        self.assertEqual(names, sorted(names))
        self.assertEqual(len(names), 8)
        self.assertEqual(statuses, [206, 206, 206, 200])

    def test_next_range_format(self):
        status, headers, body = self.get_json("/apps", headers={"Range": "id ..; max=2"})
        self.assertEqual(status, 206)
        self.assertEqual(headers["next-range"], "id ]%s..; max=2" % body[-1]["id"])
        self.assertEqual(headers["content-range"], "id %s..%s" % (body[0]["id"], body[-1]["id"]))
        self.assertEqual(headers["accept-ranges"], "id, name, updated_at")

    def test_descending_both_option_orders(self):
        for header in ("version ..; max=1, order=desc", "version ..; order=desc,max=1"):
            status, headers, body = self.get_json("/apps/acme-api/releases", headers={"Range": header})
            self.assertEqual(status, 206, header)
            self.assertEqual([r["version"] for r in body], [120], header)
            self.assertIn("order=desc", headers["next-range"])

    def test_descending_walk(self):
        _statuses, items = self.walk("/apps/acme-api/releases", "version ..; max=2, order=desc")
        self.assertEqual([r["version"] for r in items], [120, 119, 118])

    def test_members_only_by_email(self):
        status, headers, body = self.get_json("/teams/acme/members", headers={"Range": "id ..; max=2"})
        self.assertEqual(status, 416)
        self.assertEqual(body["id"], "requested_range_not_satisfiable")
        _statuses, items = self.walk("/teams/acme/members", "email ..; max=4")
        self.assertEqual(len(items), 6)

    def test_no_range_returns_everything(self):
        status, headers, body = self.get_json("/addons")
        self.assertEqual(status, 200)
        self.assertEqual(len(body), 7)
        self.assertNotIn("next-range", headers)

    def test_max_clamped_to_1000(self):
        status, _headers, body = self.get_json("/apps", headers={"Range": "id ..; max=5000"})
        self.assertEqual(status, 200)
        self.assertEqual(len(body), 8)

    def test_malformed_range(self):
        status, _headers, body = self.get_json("/apps", headers={"Range": "id ..; max=zero"})
        self.assertEqual(status, 400)
        self.assertEqual(body["id"], "bad_request")

    def test_data_api_lists_are_not_paginated(self):
        status, headers, body = self.get_json("/client/v11/apps/acme-api/transfers", headers={"Range": "id ..; max=1"})
        self.assertEqual(status, 200)
        self.assertEqual(len(body), 4)
        self.assertNotIn("next-range", headers)


class AuthenticationTest(FakeTestCase):
    def test_wrong_token(self):
        status, _headers, body = self.get_json("/apps", token="HRKU-wrong")
        self.assertEqual(status, 401)
        self.assertEqual(body, {"id": "unauthorized", "message": "Invalid credentials provided."})

    def test_missing_token(self):
        status, _headers, _body = self.get("/apps", token=None)
        self.assertEqual(status, 401)

    def test_basic_with_token_as_password(self):
        credentials = base64.b64encode((":" + TOKEN).encode()).decode()
        status, _headers, _body = self.get("/account", token=None, headers={"Authorization": "Basic " + credentials})
        self.assertEqual(status, 200)

    def test_missing_accept_on_platform(self):
        status, _headers, body = self.get_json("/apps", accept=None)
        self.assertEqual(status, 406)
        self.assertEqual(body["id"], "not_acceptable")

    def test_variant_accept(self):
        status, _headers, _body = self.get("/apps/acme-api/webhooks", accept="application/vnd.heroku+json; version=3.webhooks")
        self.assertEqual(status, 200)

    def test_data_api_needs_no_version(self):
        status, headers, _body = self.get("/redis/v0/databases/redis-rectangular-77201", accept="application/json")
        self.assertEqual(status, 200)
        self.assertNotIn("oauth-scope", headers)

    def test_platform_headers(self):
        status, headers, _body = self.get("/account")
        self.assertEqual(status, 200)
        self.assertEqual(headers["oauth-scope"], "read")
        self.assertEqual(headers["oauth-scope-accepted"], "global read read-protected write write-protected")
        self.assertEqual(headers["content-type"], "application/json")
        self.assertTrue(headers["request-id"])
        self.assertTrue(headers["ratelimit-remaining"].isdigit())

    def test_unauthorized_switch(self):
        self.configure({"unauthorized": True})
        status, _headers, _body = self.get("/account")
        self.assertEqual(status, 401)


class RoutingTest(FakeTestCase):
    def test_app_by_name_and_id(self):
        _status, _headers, by_name = self.get_json("/apps/acme-api")
        status, _headers, by_id = self.get_json("/apps/%s" % by_name["id"])
        self.assertEqual(status, 200)
        self.assertEqual(by_name, by_id)

    def test_unknown_app(self):
        status, _headers, body = self.get_json("/apps/no-such-app/domains")
        self.assertEqual(status, 404)
        self.assertEqual(body["id"], "not_found")

    def test_provisioning_database_html_404(self):
        status, headers, body = self.get("/client/v11/databases/postgresql-tapered-62018")
        self.assertEqual(status, 404)
        self.assertEqual(body, b"<h1>Not Found</h1>")
        self.assertEqual(headers["content-type"], "application/json")
        status, _headers, schedules = self.get_json("/client/v11/databases/postgresql-tapered-62018/transfer-schedules")
        self.assertEqual(status, 404)
        self.assertEqual(schedules["id"], "not_found")

    def test_day_switch(self):
        self.assertEqual(self.get("/apps/acme-storefront")[0], 404)
        self.configure({"day": 3})
        self.assertEqual(self.get("/apps/acme-storefront")[0], 200)
        self.assertEqual(self.get("/apps/acme-web")[0], 404)
        self.configure({"day": 6})
        status, _headers, info = self.get_json("/client/v11/databases/postgresql-tapered-62018")
        self.assertEqual(status, 200)
        self.assertEqual(info["plan"]["name"], "standard-0")

    def test_invalid_day(self):
        with self.assertRaises(urllib.error.HTTPError) as raised:
            self.configure({"day": 99})
        self.assertEqual(raised.exception.code, 400)

    def test_write_methods_rejected(self):
        connection = http.client.HTTPConnection(self.host, int(self.port), timeout=30)
        connection.request("DELETE", "/apps/acme-api", headers={"Authorization": "Bearer " + TOKEN, "Accept": ACCEPT})
        response = connection.getresponse()
        response.read()
        connection.close()
        self.assertEqual(response.status, 405)
        self.assertEqual(self.control("GET", "/_fake/stats")["by_method"].get("DELETE"), 1)


class FaultTest(FakeTestCase):
    def test_bucket_empties_to_429(self):
        self.configure({"rate_limit": {"remaining": 2, "refill_per_minute": 0}})
        self.assertEqual(self.get("/account")[0], 200)
        status, headers, _body = self.get("/account")
        self.assertEqual(status, 200)
        self.assertEqual(headers["ratelimit-remaining"], "0")
        status, _headers, body = self.get_json("/account")
        self.assertEqual(status, 429)
        self.assertEqual(body["id"], "rate_limit")
        self.configure({"rate_limit": {"remaining": 4500, "refill_per_minute": 75}})

    def test_bucket_refills(self):
        self.configure({"rate_limit": {"remaining": 0, "refill_per_minute": 6000}})
        time.sleep(0.05)
        self.assertEqual(self.get("/account")[0], 200)
        self.configure({"rate_limit": {"remaining": 4500, "refill_per_minute": 75}})

    def test_fail_429_count(self):
        self.configure({"fail_429": 2})
        self.assertEqual([self.get("/account")[0] for _ in range(3)], [429, 429, 200])

    def test_fail_500_count_and_always(self):
        self.configure({"fail_500": 1})
        self.assertEqual([self.get("/account")[0] for _ in range(2)], [500, 200])
        self.configure({"fail_500": "always"})
        self.assertEqual([self.get("/account")[0] for _ in range(2)], [500, 500])

    def test_fail_path(self):
        self.configure({"fail_path": {"/domains$": 503}})
        status, _headers, body = self.get_json("/apps/acme-api/domains")
        self.assertEqual(status, 503)
        self.assertIn("id", body)
        self.assertEqual(self.get("/apps/acme-api")[0], 200)

    def test_html_error_path(self):
        self.configure({"html_error_path": {"^/apps/[^/]+/formation$": 500}})
        status, headers, body = self.get("/apps/acme-api/formation")
        self.assertEqual((status, body), (500, b"<h1>Not Found</h1>"))
        self.assertEqual(headers["content-type"], "application/json")

    def test_truncated_body(self):
        self.configure({"truncate_path": "^/addons$"})
        connection = http.client.HTTPConnection(self.host, int(self.port), timeout=30)
        connection.request("GET", "/addons", headers={"Authorization": "Bearer " + TOKEN, "Accept": ACCEPT})
        response = connection.getresponse()
        declared = int(response.getheader("Content-Length"))
        with self.assertRaises(http.client.IncompleteRead) as raised:
            response.read()
        connection.close()
        self.assertEqual(len(raised.exception.partial), declared // 2)

    def test_slow_answers_run_concurrently(self):
        self.configure({"slow_ms": 300})
        threads = [threading.Thread(target=self.get, args=("/account",)) for _ in range(6)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        stats = self.control("GET", "/_fake/stats")
        self.assertGreaterEqual(stats["max_in_flight"], 4)
        self.assertLess(elapsed, 6 * 0.3)

    def test_stats_and_reset(self):
        self.get("/account")
        self.get("/account")
        self.get("/apps")
        stats = self.control("GET", "/_fake/stats")
        self.assertEqual(stats["requests"], 3)
        self.assertEqual(stats["by_path"], {"/account": 2, "/apps": 1})
        self.configure({"reset": True})
        self.assertEqual(self.control("GET", "/_fake/stats")["requests"], 0)

    def test_unknown_config_key(self):
        with self.assertRaises(urllib.error.HTTPError) as raised:
            self.configure({"fail_everything": True})
        self.assertEqual(raised.exception.code, 400)


class CommandLineTest(unittest.TestCase):
    def test_switches_at_start(self):
        process, url = start_server("--day", "2", "--fail-429", "1", "--token", "HRKU-test")
        try:
            host, port = url[len("http://"):].split(":")
            statuses = []
            for _ in range(2):
                connection = http.client.HTTPConnection(host, int(port), timeout=30)
                connection.request("GET", "/apps/acme-docs", headers={"Authorization": "Bearer HRKU-test", "Accept": ACCEPT})
                response = connection.getresponse()
                response.read()
                statuses.append(response.status)
                connection.close()
            self.assertEqual(statuses, [429, 200])
        finally:
            urllib.request.urlopen(urllib.request.Request(url + "/_fake/shutdown", data=b"", method="POST"), timeout=10)
            process.wait(timeout=10)
            process.stdout.close()
            process.stderr.close()


if __name__ == "__main__":
    unittest.main()
