"""Tests for the fixture generators: determinism, Heroku field sets, planted changes and secrets.

Run: python3 -m unittest discover -s Tests/fake -v
The field-set test reads the Platform API hyper-schema from $HEROKU_SCHEMA, or from
shared/heroku/platform-api-schema.json next to the repository, and is skipped without it.
"""

import filecmp
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "Fixtures")
SAMPLE = os.path.join(FIXTURES, "sample")
sys.path.insert(0, FIXTURES)

from fixturelib.changes import apply_day, describe, diff_files  # noqa: E402
from fixturelib.common import read_day  # noqa: E402

SCHEMA_CANDIDATES = [
    os.environ.get("HEROKU_SCHEMA", ""),
    os.path.join(os.path.dirname(ROOT), "shared", "heroku", "platform-api-schema.json"),
]

# Request path pattern -> Platform API resource whose property names the body must have.
RESOURCES = [
    (r"^/account$", "account"), (r"^/apps$", "app"), (r"^/apps/[^/]+$", "app"), (r"^/users/~/apps$", "app"),
    (r"^/teams/[^/]+/apps$", "team-app"), (r"^/addons$", "add-on"), (r"^/addons/[^/]+$", "add-on"),
    (r"^/addon-attachments$", "add-on-attachment"), (r"^/apps/[^/]+/collaborators$", "collaborator"),
    (r"^/teams/[^/]+/members$", "team-member"), (r"^/teams$", "team"), (r"^/apps/[^/]+/domains$", "domain"),
    (r"^/apps/[^/]+/formation$", "formation"), (r"^/apps/[^/]+/sni-endpoints$", "sni-endpoint"),
    (r"^/apps/[^/]+/log-drains$", "log-drain"), (r"^/apps/[^/]+/features$", "app-feature"),
    (r"^/apps/[^/]+/buildpack-installations$", "buildpack-installation"), (r"^/apps/[^/]+/webhooks$", "app-webhook"),
    (r"^/apps/[^/]+/releases$", "release"), (r"^/regions$", "region"), (r"^/stacks$", "stack"),
    (r"^/spaces$", "space"), (r"^/spaces/[^/]+/inbound-ruleset$", "inbound-ruleset"),
    (r"^/spaces/[^/]+/nat$", "space-nat"), (r"^/pipelines$", "pipeline"),
    (r"^/pipeline-couplings$", "pipeline-coupling"),
]

# Fields that may change on day 3 -> 4, which must carry no configuration change.
VOLATILE_FIELDS = {
    "updated_at", "last_login", "released_at", "slug_size", "repo_size", "num_bytes", "num_connections",
    "num_tables", "current_transaction", "description", "connections_used", "quotas", "permissions",
}
VOLATILE_INFO_ROWS = {"Data Size", "Tables", "Connections", "connection-limit", "storage-limit-in-gb", "table-limit"}


def load_days():
    return {day: read_day(os.path.join(SAMPLE, "day-%d" % day)) for day in range(1, 7)}


DAYS = load_days()


class SampleTest(unittest.TestCase):
    def test_generator_is_deterministic(self):
        with tempfile.TemporaryDirectory() as out:
            subprocess.run([sys.executable, os.path.join(FIXTURES, "make_sample.py"), "--out", out],
                           check=True, capture_output=True)
            comparison = filecmp.dircmp(SAMPLE, out)
            self.assertEqual(self.differences(comparison), [])

    def differences(self, comparison, prefix=""):
        found = [prefix + name for name in comparison.left_only + comparison.right_only + comparison.diff_files]
        for name, sub in comparison.subdirs.items():
            found += self.differences(sub, prefix + name + "/")
        return found

    def test_field_sets_match_schema(self):
        schema_path = next((p for p in SCHEMA_CANDIDATES if p and os.path.exists(p)), None)
        if schema_path is None:
            self.skipTest("Platform API schema not found; set HEROKU_SCHEMA")
        with open(schema_path, encoding="utf-8") as handle:
            definitions = json.load(handle)["definitions"]

        def properties(resource):
            definition = definitions[resource]
            if "properties" in definition:
                return set(definition["properties"])
            return set(definition["definitions"][resource.replace("-", "_")]["properties"])

        for day, (files, _statuses) in DAYS.items():
            for pattern, resource in RESOURCES:
                expected = properties(resource)
                for path, body in files.items():
                    if not re.match(pattern, path):
                        continue
                    for item in body if isinstance(body, list) else [body]:
                        self.assertEqual(set(item), expected, "day %d %s (%s)" % (day, path, resource))

    def test_secrets_are_planted(self):
        with open(os.path.join(SAMPLE, "secrets.txt"), encoding="utf-8") as handle:
            secrets = [line.strip() for line in handle if line.strip()]
        self.assertEqual(len(secrets), len(set(secrets)))
        everything = json.dumps([DAYS[day][0] for day in DAYS])
        with open(os.path.join(SAMPLE, "token"), encoding="utf-8") as handle:
            token = handle.read().strip()
        for secret in secrets:
            if secret == token:
                continue
            self.assertIn(secret, everything, secret)

    def test_day_3_to_4_is_volatile_only(self):
        ops = diff_files(DAYS[3][0], DAYS[4][0])
        self.assertTrue(ops)
        for op in ops:
            self.assertIn(op["op"], ("patch", "item_patch"), op["path"])
            for pointer, _value in op["set"]:
                names = {segment for segment in pointer if isinstance(segment, str)}
                rows = {segment["name"] for segment in pointer if isinstance(segment, dict)}
                self.assertTrue(names & VOLATILE_FIELDS or rows & VOLATILE_INFO_ROWS,
                                "%s %s is not volatile" % (op["path"], pointer))

    def test_planted_changes(self):
        def app(day, name):
            return next((a for a in DAYS[day][0]["/apps"] if a["name"] == name), None)

        self.assertIsNone(app(1, "acme-docs"))
        self.assertIsNotNone(app(2, "acme-docs"))
        self.assertEqual(app(2, "acme-web")["id"], app(3, "acme-storefront")["id"])
        self.assertIsNotNone(app(4, "acme-legacy"))
        self.assertIsNone(app(5, "acme-legacy"))
        premium = app(1, "acme-api")
        addons = {a["name"]: a for a in DAYS[4][0]["/addons"]}
        database = "/client/v11/databases/%s" % addons["postgresql-cubic-41207"]["id"]
        self.assertEqual(DAYS[4][0][database]["postgres_version"], "15.7")
        self.assertEqual(DAYS[5][0][database]["postgres_version"], "16.3")
        self.assertIn("/apps/%s/domains" % premium["id"], DAYS[1][0])

    def test_changes_reproduce_next_day(self):
        for day in range(2, 7):
            old, new = DAYS[day - 1][0], DAYS[day][0]
            self.assertEqual(apply_day(old, diff_files(old, new)), new, "day %d" % day)
            self.assertTrue(describe(old, new))


class SyntheticTest(unittest.TestCase):
    def test_small_account_verifies(self):
        with tempfile.TemporaryDirectory() as out:
            command = [sys.executable, os.path.join(FIXTURES, "make_synthetic.py"), "--seed", "7", "--apps", "30",
                       "--addons", "120", "--teams", "3", "--members", "20", "--domains", "60", "--drains", "20",
                       "--days", "5", "--churn", "0.05", "--verify", "--out", out]
            subprocess.run(command, check=True, capture_output=True)
            with open(os.path.join(out, "manifest.json"), encoding="utf-8") as handle:
                manifest = json.load(handle)
            self.assertEqual(manifest["days"], 5)
            self.assertTrue(os.path.exists(os.path.join(out, "changes", "day-5.json.gz")))
            files, _statuses = read_day(os.path.join(out, "day-1"))
            self.assertEqual(len(files["/apps"]), 30)
            self.assertEqual(len(files["/addons"]), 120)


if __name__ == "__main__":
    unittest.main()
