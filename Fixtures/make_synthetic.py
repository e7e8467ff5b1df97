#!/usr/bin/env python3
"""Generate a large synthetic Heroku account for benchmarks, deterministic for a seed.

Output (DIR):
    day-1/                 the first day in full, same layout as Fixtures/sample/day-N
    changes/day-K.json.gz  {"files": [...], "statuses": [...]}: the change operations
                           (fixturelib/changes.py) that turn day K-1 into day K
    manifest.json          the parameters, counts, sizes and timings of the run
    token                  the API token the fake accepts

`fake_heroku.py --synthetic DIR --day K` applies the change lists up to day K when
that day is first requested. `--full-days` also writes day-2 .. day-N in full (only
sensible for small accounts), and `--verify` checks that applying the change lists
reproduces every rendered day exactly.

Each day, `--churn` of each resource population changes for real. The changes are
add-on plans, custom domains added and removed, member two-factor flags, members added
and removed, log drains added and removed, collaborators, formation quantities, apps
created, renamed and deleted, add-ons created and finishing provisioning, and
certificates renewed. Volatile fields move on every database and on the apps that
deploy that day.

Usage:
    python3 Fixtures/make_synthetic.py --seed 1 --apps 2000 --addons 8000 --teams 50 --members 1000 \\
        --domains 6000 --drains 3000 --days 90 --churn 0.005 --out /tmp/synthetic
    python3 Fixtures/make_synthetic.py --small --out /tmp/synthetic-small
"""

import argparse
import datetime as dt
import gc
import gzip
import json
import os
import random
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fixturelib.changes import apply_day, diff_files  # noqa: E402
from fixturelib.common import (  # noqa: E402
    UTC, data_api_created, data_api_time, fake_pem, hexdigest, iso, uid, write_day,
)
from fixturelib.render import render  # noqa: E402

FIRST_DAY = dt.datetime(2026, 1, 5, tzinfo=UTC)

ADJECTIVES = ["agile", "amber", "ancient", "autumn", "billowing", "bitter", "blue", "bold", "brave", "calm", "cold",
              "crimson", "curly", "damp", "dark", "dawn", "delicate", "divine", "dry", "empty", "falling", "floral",
              "fragrant", "frosty", "gentle", "glacial", "golden", "green", "hidden", "holy", "icy", "jolly", "late",
              "lingering", "little", "lively", "long", "lucky", "misty", "morning", "muddy", "nameless", "noisy",
              "odd", "old", "orange", "patient", "plain", "polished", "proud", "purple", "quiet", "rapid", "red",
              "restless", "rough", "round", "royal", "shiny", "shy", "silent", "small", "snowy", "soft", "solitary",
              "sparkling", "spring", "still", "summer", "sweet", "tiny", "twilight", "wandering", "weathered",
              "white", "wild", "winter", "wispy", "withered", "young"]
NOUNS = ["bird", "breeze", "brook", "bush", "butterfly", "cherry", "cloud", "darkness", "dawn", "dew", "dream",
         "dust", "feather", "field", "fire", "firefly", "flower", "fog", "forest", "frog", "frost", "glade",
         "glitter", "grass", "haze", "hill", "lake", "leaf", "meadow", "moon", "morning", "mountain", "night",
         "paper", "pine", "pond", "rain", "resonance", "river", "sea", "shadow", "shape", "silence", "sky",
         "smoke", "snow", "snowflake", "sound", "star", "sun", "sunset", "surf", "thunder", "tree", "violet",
         "voice", "water", "waterfall", "wave", "wildflower", "wind", "wood"]
FIRST_NAMES = ["ada", "ben", "chen", "dana", "eli", "fatima", "gus", "hana", "ivan", "jo", "kofi", "lena", "mo",
               "nia", "omar", "pia", "quinn", "ravi", "sara", "tom", "uma", "vik", "wen", "xena", "yusuf", "zoe"]
LAST_NAMES = ["abe", "baker", "costa", "dubois", "evans", "fischer", "garcia", "haas", "ito", "jensen", "kim",
              "lopez", "meyer", "novak", "ortiz", "patel", "quist", "rossi", "silva", "tanaka", "ueda", "vogel",
              "wong", "xu", "young", "zimmer"]

OTHER_SERVICES = [
    ("papertrail", ["choklad", "fixa", "volmar"], ["PAPERTRAIL_API_TOKEN"]),
    ("scheduler", ["standard"], []),
    ("sendgrid", ["starter", "bronze", "silver"], ["SENDGRID_API_KEY", "SENDGRID_PASSWORD", "SENDGRID_USERNAME"]),
    ("newrelic", ["wayne", "hawke"], ["NEW_RELIC_LICENSE_KEY", "NEW_RELIC_LOG"]),
    ("memcachier", ["dev", "100", "250"], ["MEMCACHIER_PASSWORD", "MEMCACHIER_SERVERS", "MEMCACHIER_USERNAME"]),
    ("bonsai", ["sandbox-6", "standard-sm"], ["BONSAI_URL"]),
    ("cloudamqp", ["lemur", "tiger"], ["CLOUDAMQP_URL"]),
    ("heroku-kafka", ["basic-0", "standard-0"], ["KAFKA_URL", "KAFKA_TRUSTED_CERT"]),
]
TENANT_PLANS = ["essential-0", "essential-1", "essential-2"]
DEDICATED_PLANS = ["standard-0", "standard-2", "premium-0", "premium-2", "private-0"]
REDIS_PLANS = ["mini", "premium-0", "premium-1", "premium-3", "private-7"]
PRICES = {"essential-0": 500, "essential-1": 900, "essential-2": 2000, "standard-0": 5000, "standard-2": 20000,
          "premium-0": 20000, "premium-2": 35000, "private-0": 30000, "mini": 300, "premium-1": 3000,
          "premium-3": 6000, "private-7": 350000, "advanced": 0}
STACKS = ["heroku-24"] * 14 + ["heroku-22"] * 5 + ["heroku-20"]
PERMISSIONS = ["view", "deploy", "operate", "manage"]
FEATURE_NAMES = [("preboot", "Preboot", "Provide seamless web dyno deploys."),
                 ("runtime-dyno-metadata", "Runtime Dyno Metadata", "Enable dyno metadata in environment variables."),
                 ("log-runtime-metrics", "Log runtime metrics", "Emit dyno resource usage information into app logs."),
                 ("http-session-affinity", "HTTP Session Affinity", "Enable session affinity for all requests.")]

PRESETS = {
    "full": dict(apps=2000, addons=8000, teams=50, members=1000, domains=6000, drains=3000, days=90, churn=0.005),
    "small": dict(apps=200, addons=800, teams=8, members=100, domains=600, drains=300, days=30, churn=0.01),
}


class Generator:
    """Builds the day-1 model and mutates it in place one day at a time."""

    def __init__(self, seed, apps, addons, teams, members, domains, drains, churn):
        self.seed = seed
        self.rng = random.Random(seed)
        self.counts = dict(apps=apps, addons=addons, teams=teams, members=members, domains=domains, drains=drains)
        self.churn = churn
        self.serial = 0
        self.day = 1
        self.used_names = set()
        self.attachment_names = set()  # (app id, attachment name) pairs already used
        self.model = None

    # ----- helpers -----------------------------------------------------------

    def new_id(self, kind):
        self.serial += 1
        return uid("synthetic", self.seed, kind, self.serial)

    def now(self, hour=None):
        """Return a timestamp during the day before the current day's 06:00 capture."""
        base = FIRST_DAY + dt.timedelta(days=self.day - 1)
        if hour is None:
            return base - dt.timedelta(seconds=self.rng.randrange(1, 18 * 3600))
        return base + dt.timedelta(hours=hour, seconds=self.rng.randrange(0, 3000))

    def past(self, max_days=1500):
        return FIRST_DAY - dt.timedelta(days=self.rng.randrange(2, max_days), seconds=self.rng.randrange(86400))

    def unique_name(self, prefix=""):
        while True:
            name = "%s%s-%s-%d" % (prefix, self.rng.choice(ADJECTIVES), self.rng.choice(NOUNS), self.rng.randrange(10000, 99999))
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    def amount(self, population, factor=1.0):
        """Return how many resources change today: churn x population x factor, rounded at random."""
        expected = self.churn * population * factor
        whole = int(expected)
        return whole + (1 if self.rng.random() < expected - whole else 0)

    # ----- day 1 -------------------------------------------------------------

    def build(self):
        rng = self.rng
        account_id = uid("synthetic", self.seed, "account")
        users = {account_id: {"email": "compliance@synthetic.example", "federated": False, "id": account_id,
                              "name": "Synthetic Compliance", "two_factor": True}}
        self.model = model = {
            "account": {"created_at": iso(self.past()), "default_team_id": None, "email": "compliance@synthetic.example",
                        "federated": False, "id": account_id, "last_login": iso(self.now()), "name": "Synthetic Compliance",
                        "sms_number": None, "two_factor": True, "updated_at": iso(self.now())},
            "account_features": [], "addons": [], "apps": [], "pipelines": [], "spaces": [], "teams": [],
            "transfers": {}, "users": users,
            "regions": [
                {"country": "United States", "created_at": "2012-11-21T20:44:16Z", "description": "United States",
                 "locale": "Virginia", "name": "us", "private_capable": False, "provider_region": "us-east-1",
                 "updated_at": "2023-09-18T17:02:45Z"},
                {"country": "Ireland", "created_at": "2012-11-21T20:44:16Z", "description": "Europe", "locale": "Dublin",
                 "name": "eu", "private_capable": False, "provider_region": "eu-west-1", "updated_at": "2023-09-18T17:02:45Z"},
                {"country": "United States", "created_at": "2015-09-10T00:00:00Z", "description": "Virginia, United States",
                 "locale": "Virginia", "name": "virginia", "private_capable": True, "provider_region": "us-east-1",
                 "updated_at": "2023-09-18T17:02:45Z"},
                {"country": "Germany", "created_at": "2015-09-10T00:00:00Z", "description": "Frankfurt, Germany",
                 "locale": "Frankfurt", "name": "frankfurt", "private_capable": True, "provider_region": "eu-central-1",
                 "updated_at": "2023-09-18T17:02:45Z"},
            ],
            "stacks": [
                {"created_at": "2020-05-14T15:09:41Z", "default": False, "name": "heroku-20", "state": "deprecated",
                 "updated_at": "2025-05-01T00:00:00Z"},
                {"created_at": "2022-05-02T16:30:12Z", "default": False, "name": "heroku-22", "state": "public",
                 "updated_at": "2024-06-04T09:10:20Z"},
                {"created_at": "2024-05-21T14:00:00Z", "default": True, "name": "heroku-24", "state": "public",
                 "updated_at": "2024-12-03T11:45:09Z"},
            ],
        }

        for n in range(self.counts["teams"]):
            self.add_team(n)
        model["account"]["default_team_id"] = model["teams"][0]["id"]
        for _ in range(self.counts["members"]):
            self.add_member(rng.choice(model["teams"]))
        for n in range(self.counts["apps"]):
            self.add_app(created=self.past())
        extra_domains = max(0, self.counts["domains"] - len(model["apps"]))
        for _ in range(extra_domains):
            self.add_domain(rng.choice(model["apps"]), created=self.past(900))
        for _ in range(self.counts["drains"]):
            self.add_drain(rng.choice(model["apps"]), created=self.past(900))
        for _ in range(self.counts["addons"]):
            self.add_addon(rng.choice(model["apps"]), created=self.past(1200))
        self.add_pipelines()
        return model

    def add_team(self, n):
        rng = self.rng
        team_id = self.new_id("team")
        name = "team-%s-%02d" % (rng.choice(NOUNS), n)
        identity_provider = None
        if n % 10 == 3:
            identity_provider = {"id": self.new_id("idp"), "name": "%s-sso" % name,
                                 "owner": {"id": team_id, "name": name, "type": "team"}}
        owner_key = uid("synthetic", self.seed, "team-owner", team_id)
        self.model["users"][owner_key] = {"email": "%s@herokumanager.com" % name, "federated": False, "id": owner_key,
                                          "name": None, "two_factor": False}
        created = iso(self.past())
        team = {"created_at": created, "credit_card_collections": True, "default": n == 0, "enterprise_account": None,
                "id": team_id, "identity_provider": identity_provider, "members": [], "membership_limit": None,
                "name": name, "owner_user": owner_key, "provisioned_licenses": False, "role": "admin", "type": "team",
                "updated_at": created}
        account_id = self.model["account"]["id"]
        team["members"].append({"created_at": created, "id": self.new_id("member"), "role": "admin",
                                "updated_at": created, "user_id": account_id})
        self.model["teams"].append(team)
        if n % 10 == 0:
            space_id = self.new_id("space")
            self.model["spaces"].append({
                "cidr": "10.%d.0.0/16" % (n % 250), "created_at": created, "data_cidr": "10.%d.0.0/16" % ((n + 1) % 250),
                "id": space_id, "name": "%s-space" % name,
                "nat": {"created_at": created, "sources": ["3.%d.%d.%d" % (n % 250, rng.randrange(256), rng.randrange(256))],
                        "state": "enabled", "updated_at": created},
                "region": rng.choice(["virginia", "frankfurt"]),
                "ruleset": {"created_at": created, "created_by": "compliance@synthetic.example", "id": self.new_id("ruleset"),
                            "rules": [{"action": "allow", "source": "0.0.0.0/0"}] if n % 20 == 0 else
                            [{"action": "allow", "source": "203.0.113.0/24"}]},
                "shield": n % 30 == 0, "state": "allocated", "team_id": team_id, "updated_at": created,
            })
            team["space_id"] = space_id

    def new_user(self):
        rng = self.rng
        user_id = self.new_id("user")
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        user = {"email": "%s.%s.%s@example.com" % (first, last, user_id[:6]), "federated": False, "id": user_id,
                "name": "%s %s" % (first.title(), last.title()), "two_factor": rng.random() < 0.8}
        self.model["users"][user_id] = user
        return user

    def add_member(self, team, created=None):
        rng = self.rng
        user = self.new_user()
        if team.get("identity_provider") and rng.random() < 0.5:
            user["federated"] = True
        roll = rng.random()
        if roll < 0.1:
            role = "admin"
        elif roll < 0.8:
            role = "member"
        else:
            role = "collaborator"
        created = iso(created or self.past(1000))
        member = {"created_at": created, "id": self.new_id("member"), "role": role, "updated_at": created,
                  "user_id": user["id"]}
        team["members"].append(member)
        return member

    def add_app(self, created):
        rng = self.rng
        model = self.model
        personal = rng.random() < 0.1
        team = None if personal else rng.choice(model["teams"])
        name = self.unique_name()
        app_id = self.new_id("app")
        stack = rng.choice(STACKS)
        created_text = iso(created)
        account_id = model["account"]["id"]
        collaborators = []
        if personal:
            owner = self.new_user()
            owner_id = owner["id"]
            collaborators.append({"created_at": created_text, "id": self.new_id("collaborator"), "permissions": [],
                                  "role": "owner", "updated_at": created_text, "user_id": owner_id})
            collaborators.append({"created_at": created_text, "id": self.new_id("collaborator"), "permissions": [],
                                  "role": "collaborator", "updated_at": created_text, "user_id": account_id})
        else:
            owner_id = team["owner_user"]
            collaborators.append({"created_at": created_text, "id": self.new_id("collaborator"), "permissions": list(PERMISSIONS),
                                  "role": "admin", "updated_at": created_text, "user_id": account_id})
            others = [m for m in team["members"] if m["user_id"] != account_id]
            for member in rng.sample(others, min(len(others), rng.randrange(1, 5))):
                collaborators.append({"created_at": created_text, "id": self.new_id("collaborator"),
                                      "permissions": PERMISSIONS[: rng.randrange(1, 5)], "role": member["role"],
                                      "updated_at": created_text, "user_id": member["user_id"]})
        space_id = team.get("space_id") if team and rng.random() < 0.3 else None
        region = next(s["region"] for s in model["spaces"] if s["id"] == space_id) if space_id else rng.choice(["us", "us", "eu"])
        released = iso(created + dt.timedelta(hours=1))
        app = {
            "acm": rng.random() < 0.5, "archived_at": None, "build_stack": stack,
            "buildpack_provided_description": rng.choice(["Node.js", "Ruby", "Python", "Go", "Java"]),
            "buildpacks": [{"name": "heroku/nodejs", "url": "https://buildpack-registry.s3.amazonaws.com/buildpacks/heroku/nodejs.tgz"}],
            "collaborators": collaborators, "created_at": created_text,
            "domains": [{"acm_status": None, "acm_status_reason": None, "cname": None, "created_at": created_text,
                         "hostname": None, "id": self.new_id("domain"), "kind": "heroku", "sni_endpoint_id": None,
                         "status": "succeeded", "updated_at": created_text}],
            "features": [
                {"created_at": "2024-02-01T00:00:00Z", "description": description, "display_name": display,
                 "doc_url": "https://devcenter.heroku.com/articles/%s" % feature, "enabled": rng.random() < 0.3,
                 "feedback_email": "feedback@heroku.com", "id": self.new_id("feature"), "name": feature,
                 "state": "general", "updated_at": "2025-01-07T19:22:31Z"}
                for feature, display, description in FEATURE_NAMES
            ],
            "formation": [
                {"command": "bin/%s" % kind, "created_at": created_text, "id": self.new_id("formation"),
                 "quantity": rng.randrange(0, 4), "size": rng.choice(["basic", "standard-1x", "standard-2x", "performance-m"]),
                 "type": kind, "updated_at": created_text}
                for kind in (["web", "worker", "clock"][: rng.randrange(1, 4)])
            ],
            "id": app_id, "internal_routing": bool(space_id) and rng.random() < 0.5, "locked": False, "log_drains": [],
            "maintenance": rng.random() < 0.02, "name": name, "owner_id": owner_id, "region": region,
            "released_at": released, "releases": [], "repo_size": rng.randrange(10 ** 6, 10 ** 8),
            "slug_size": rng.randrange(10 ** 7, 3 * 10 ** 8), "sni_endpoints": [], "space_id": space_id,
            "stack": stack, "team_id": team["id"] if team else None, "updated_at": released,
            "web_suffix": hexdigest("synthetic", self.seed, app_id, length=12), "webhooks": [],
        }
        for version in range(1, 4):
            app["releases"].append({
                "addon_plan_names": [], "created_at": iso(created + dt.timedelta(minutes=version * 20)),
                "current": version == 3, "description": "Deploy %s" % hexdigest(app_id, version, length=7),
                "eligible_for_rollback": version != 3, "id": self.new_id("release"),
                "slug_id": self.new_id("slug"), "status": "succeeded",
                "updated_at": iso(created + dt.timedelta(minutes=version * 20)), "user_id": owner_id if personal else account_id,
                "version": version})
        if rng.random() < 0.2:
            app["webhooks"].append({"created_at": created_text, "id": self.new_id("webhook"),
                                    "include": ["api:release"], "level": "notify", "updated_at": created_text,
                                    "url": "https://hooks.example.com/heroku/%s" % app_id})
        model["apps"].append(app)
        return app

    def add_domain(self, app, created):
        rng = self.rng
        created_text = iso(created)
        hostname = "%s.%s.example.com" % (rng.choice(NOUNS), app["name"])
        while any(d["hostname"] == hostname for d in app["domains"]):
            hostname = "%s-%d.%s.example.com" % (rng.choice(NOUNS), rng.randrange(1000), app["name"])
        if not app["sni_endpoints"]:
            starts = created - dt.timedelta(days=rng.randrange(0, 300))
            app["sni_endpoints"].append({
                "cert": {"acm": app["acm"], "ca_signed": True, "cert_domains": [], "expires_at": iso(starts + dt.timedelta(days=397)),
                         "id": self.new_id("ssl-cert"), "issuer": "/C=US/O=Let's Encrypt/CN=R11", "self_signed": False,
                         "starts_at": iso(starts), "subject": "/CN=%s" % hostname},
                "certificate_chain": fake_pem(self.seed, app["id"], starts.isoformat()), "created_at": created_text,
                "display_name": None, "domain_ids": [], "id": self.new_id("sni-endpoint"),
                "name": "%s-%d" % (rng.choice(NOUNS), rng.randrange(10000, 99999)), "updated_at": created_text})
        endpoint = app["sni_endpoints"][0]
        domain = {"acm_status": "cert issued" if app["acm"] else None, "acm_status_reason": None,
                  "cname": "%s-%s.herokudns.com" % (rng.choice(ADJECTIVES), hexdigest(self.seed, hostname, length=16)),
                  "created_at": created_text, "hostname": hostname, "id": self.new_id("domain"), "kind": "custom",
                  "sni_endpoint_id": endpoint["id"], "status": "succeeded", "updated_at": created_text}
        app["domains"].append(domain)
        endpoint["domain_ids"].append(domain["id"])
        endpoint["cert"]["cert_domains"].append(hostname)
        return domain

    def add_drain(self, app, created):
        created_text = iso(created)
        drain_id = self.new_id("log-drain")
        app["log_drains"].append({
            "addon_id": None, "created_at": created_text, "id": drain_id,
            "token": "d.%s" % uid("synthetic-drain-token", self.seed, drain_id), "updated_at": created_text,
            "url": "syslog+tls://logs-%d.example.net:%d" % (self.rng.randrange(1, 20), self.rng.randrange(10000, 60000))})

    def add_addon(self, app, created, state="provisioned"):
        rng = self.rng
        addon_id = self.new_id("addon")
        created_text = iso(created)
        roll = rng.random()
        data = None
        if roll < 0.25:
            kind_roll = rng.random()
            if kind_roll < 0.42:
                plan, data = self.tenant_data(addon_id, created)
            elif kind_roll < 0.6:
                plan, data = self.dedicated_data(addon_id, created)
            elif kind_roll < 0.7:
                plan, data = "heroku-postgresql:advanced", self.advanced_data(addon_id, created)
            else:
                plan, data = self.redis_data(addon_id, created)
            service = plan.split(":")[0]
            name = self.unique_name("postgresql-" if service == "heroku-postgresql" else "redis-")
            config_vars = ["DATABASE_URL"] if service == "heroku-postgresql" else ["REDIS_URL"]
            attachment_name = "DATABASE" if service == "heroku-postgresql" else "REDIS"
            if (app["id"], attachment_name) in self.attachment_names:
                attachment_name = "HEROKU_POSTGRESQL_%s" % rng.choice(["AMBER", "BLUE", "CYAN", "GOLD", "ONYX", "TEAL"]) \
                    if service == "heroku-postgresql" else "REDIS_%s" % rng.choice(["AMBER", "BLUE", "CYAN"])
                config_vars = [attachment_name + "_URL"]
        else:
            service, plans, config_vars = rng.choice(OTHER_SERVICES)
            plan = "%s:%s" % (service, rng.choice(plans))
            name = self.unique_name(service + "-")
            attachment_name = service.upper().replace("-", "_")
        addon = {
            "actions": [], "app_id": app["id"],
            "attachments": [{"app_id": app["id"], "created_at": created_text, "id": self.new_id("attachment"),
                             "name": attachment_name, "namespace": None, "updated_at": created_text}],
            "config_vars": [] if state == "provisioning" else list(config_vars), "config_vars_when_ready": list(config_vars),
            "created_at": created_text, "data": data, "id": addon_id, "name": name, "plan": plan,
            "price_cents": PRICES.get(plan.split(":")[1], 0),
            "provider_id": "resource%d@heroku.com" % rng.randrange(10 ** 7, 10 ** 8),
            "provision_message": "Add-on is ready.", "state": state, "updated_at": created_text,
        }
        if rng.random() < 0.1:
            team_apps = [a for a in self.model["apps"] if a["team_id"] == app["team_id"] and a["id"] != app["id"]]
            if team_apps:
                other = rng.choice(team_apps)
                addon["attachments"].append({"app_id": other["id"], "created_at": created_text,
                                             "id": self.new_id("attachment"), "name": attachment_name + "_SHARED",
                                             "namespace": None, "updated_at": created_text})
        for att in addon["attachments"]:
            self.attachment_names.add((att["app_id"], att["name"]))
        self.model["addons"].append(addon)
        if data and data["kind"] in ("tenant", "dedicated"):
            self.model["transfers"].setdefault(app["id"], []).extend(self.backups(addon, data))
        return addon

    def database_url(self, addon_id, scheme="postgres"):
        return "%s://u%s:p%s@ec2-%d-%d-%d-%d.compute-1.amazonaws.com:5432/d%s" % (
            scheme, hexdigest(addon_id, "user", length=14), hexdigest(addon_id, "password", length=64),
            self.rng.randrange(3, 99), self.rng.randrange(256), self.rng.randrange(256), self.rng.randrange(256),
            hexdigest(addon_id, "db", length=13))

    def common_pg(self, addon_id, created):
        rng = self.rng
        return {"created_at": data_api_created(created), "created_display": created.strftime("%Y-%m-%d %H:%M"),
                "database_name": "d" + hexdigest(addon_id, "db", length=13),
                "database_user": "u" + hexdigest(addon_id, "user", length=14),
                "num_bytes": rng.randrange(10 ** 7, 10 ** 11), "num_connections": rng.randrange(0, 60),
                "num_tables": rng.randrange(1, 400), "postgres_version": rng.choice(["14.13", "15.8", "16.4", "17.2"]),
                "resource_url": self.database_url(addon_id),
                "schedules": [{"callback_url": "https://xfrtuc.heroku.com/schedules/%s" % uid("schedule", addon_id),
                               "created_at": data_api_time(created + dt.timedelta(days=1)),
                               "days": ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
                               "deleted_at": None, "hour": rng.randrange(24), "name": "DATABASE_URL",
                               "retain_months": 0, "retain_weeks": 1, "timezone": "UTC", "uuid": uid("schedule", addon_id),
                               "updated_at": data_api_time(created + dt.timedelta(days=1))}]}

    def tenant_data(self, addon_id, created):
        plan = self.rng.choice(TENANT_PLANS)
        data = self.common_pg(addon_id, created)
        limit = {"essential-0": 1, "essential-1": 10, "essential-2": 32}[plan]
        data.update({"kind": "tenant", "connection_limit": 20 if plan == "essential-0" else 40,
                     "num_bytes": self.rng.randrange(10 ** 6, limit * 10 ** 9 // 2), "plan_display": plan.replace("-", " ").title(),
                     "plan_short": plan, "storage_limit_bytes": limit * 1024 ** 3, "storage_limit_display": "%d GB" % limit,
                     "table_limit": 4000})
        return "heroku-postgresql:" + plan, data

    def dedicated_data(self, addon_id, created):
        rng = self.rng
        plan = rng.choice(DEDICATED_PLANS)
        data = self.common_pg(addon_id, created)
        data.update({
            "kind": "dedicated", "connection_limit": 400 if plan.startswith(("premium", "private")) else 120,
            "credentials": rng.randrange(1, 4), "current_transaction": rng.randrange(10 ** 6, 10 ** 10),
            "database_password": "p" + hexdigest(addon_id, "password", length=64),
            "formation_id": uid("formation", addon_id), "primary_id": uid("primary", addon_id),
            "ha_status": "Available" if plan.startswith(("premium", "private")) else "Unavailable",
            "maintenance_window": "Sundays 22:30 to Mondays 02:30 UTC",
            "metaas_server_source": "dod-postgres-server://metaas:%s@metaas.internal:5433/metaas" % hexdigest(addon_id, "ms", length=20),
            "metaas_source": "dod-postgres://metaas:%s@metaas.internal:5432/db" % hexdigest(addon_id, "m", length=20),
            "plan_display": plan.replace("-", " ").title(), "plan_object": self.plan_object(plan), "region": "us",
        })
        return "heroku-postgresql:" + plan, data

    @staticmethod
    def plan_object(plan):
        tier = plan.split("-")[0]
        return {"attrs_unparsed": {"hard_connlimit": "500", "soft_connlimit": "400"}, "bit_depth": 64,
                "created_at": "2019-06-10T18:01:44.000+00:00", "default_disk_iops": 3000, "default_disk_size": 68,
                "id": 100 + DEDICATED_PLANS.index(plan), "instance_type": "m5.large", "name": plan,
                "service_slug": "heroku-postgresql", "slack_quantity": 5, "slots": "64.0", "status": "production",
                "tier": tier, "virt_type": "hvm"}

    def advanced_data(self, addon_id, created):
        rng = self.rng
        used = rng.randrange(0, 300)
        return {
            "kind": "advanced", "cluster_id": uid("cluster", addon_id), "connection_limit": 400, "connections_used": used,
            "created_at": iso(created), "credentials": rng.randrange(1, 4), "highly_available": rng.random() < 0.5,
            "num_tables": rng.randrange(1, 900),
            "pools": [{"compute_instances": [], "connections_used": used,
                       "endpoints": [{"host": "pg-%s.leader.postgres.heroku.internal" % addon_id[:8], "port": 5432,
                                      "status": "available"}],
                       "expected_connection_limit": 400, "expected_count": 1, "expected_level": "4G-Performance",
                       "id": uid("pool", addon_id), "name": "leader", "status": "available",
                       "wait_status": {"message": None, "waiting": False}}],
            "region": "us", "storage_gb": round(rng.uniform(1, 500), 1), "storage_limit_gb": 128000,
            "table_limit": 4000, "version": "17.4",
        }

    def redis_data(self, addon_id, created):
        rng = self.rng
        plan = rng.choice(REDIS_PLANS)
        return "heroku-redis:" + plan, {
            "kind": "redis", "created_at": data_api_created(created), "created_display": created.strftime("%Y-%m-%d %H:%M"),
            "formation_id": uid("redis-formation", addon_id), "maintenance_window": "Thursdays 04:00 to Thursdays 08:00 UTC",
            "maxmemory_policy": rng.choice(["noeviction", "volatile-lru", "allkeys-lru"]),
            "metaas_source": "dod-redis://metaas:%s@metaas.internal:23419/" % hexdigest(addon_id, "m", length=20),
            "notify_keyspace_events": "", "plan_short": plan, "port": rng.randrange(10000, 60000),
            "primary_id": uid("redis-primary", addon_id),
            "resource_url": "rediss://:p%s@ec2-34-228-91-140.compute-1.amazonaws.com:23419" % hexdigest(addon_id, "password", length=64),
            "timeout": 300, "version": rng.choice(["6.2.14", "7.2.4"]),
        }

    def backups(self, addon, data):
        result = []
        for n in range(2):
            start = FIRST_DAY - dt.timedelta(days=n + 1, hours=-2)
            number = self.rng.randrange(1, 900)
            to_uuid = uid("backup", addon["id"], n)
            result.append({
                "canceled_at": None, "created_at": data_api_time(start), "deleted_at": None,
                "finished_at": data_api_time(start + dt.timedelta(minutes=4)), "from_name": "DATABASE",
                "from_type": "pg_dump", "from_url": data["resource_url"], "from_uuid": addon["id"], "num": number,
                "num_keep": 7, "options": {}, "processed_bytes": data["num_bytes"] // 9, "purged_at": None,
                "schedule": {"uuid": uid("schedule", addon["id"])}, "source_bytes": data["num_bytes"],
                "started_at": data_api_time(start + dt.timedelta(seconds=30)), "succeeded": True,
                "to_name": "SCHEDULED BACKUP", "to_type": "gof3r",
                "to_url": "https://xfrtu.s3.amazonaws.com/%s?X-Amz-Signature=%s" % (to_uuid, hexdigest(to_uuid, length=40)),
                "to_uuid": to_uuid, "updated_at": data_api_time(start + dt.timedelta(minutes=4)), "warnings": 0})
        return result

    def add_pipelines(self):
        by_team = {}
        for app in self.model["apps"]:
            if app["team_id"]:
                by_team.setdefault(app["team_id"], []).append(app)
        for team_id, apps in sorted(by_team.items()):
            for index in range(0, min(len(apps) - 1, 8), 2):
                created = iso(self.past(800))
                staging, production = apps[index], apps[index + 1]
                self.model["pipelines"].append({
                    "couplings": [
                        {"app_id": staging["id"], "created_at": created, "id": self.new_id("coupling"), "stage": "staging",
                         "updated_at": created},
                        {"app_id": production["id"], "created_at": created, "id": self.new_id("coupling"),
                         "stage": "production", "updated_at": created}],
                    "created_at": created, "id": self.new_id("pipeline"), "name": production["name"],
                    "owner_team_id": team_id, "updated_at": created})

    # ----- one day later ------------------------------------------------------

    def advance(self):
        """Move the model to the next day: real changes at the churn rate, then volatile drift."""
        self.day += 1
        rng = self.rng
        model = self.model
        apps = model["apps"]
        members = [(team, member) for team in model["teams"] for member in team["members"]
                   if member["user_id"] != model["account"]["id"]]
        domains = [(app, domain) for app in apps for domain in app["domains"] if domain["kind"] == "custom"]
        drains = [(app, drain) for app in apps for drain in app["log_drains"]]

        for addon in rng.sample(model["addons"], min(len(model["addons"]), self.amount(len(model["addons"])))):
            self.change_plan(addon)
        for _ in range(self.amount(self.counts["domains"], 0.5)):
            self.add_domain(rng.choice(apps), created=self.now())
        for app, domain in rng.sample(domains, min(len(domains), self.amount(len(domains), 0.5))):
            self.remove_domain(app, domain)
        for team, member in rng.sample(members, min(len(members), self.amount(len(members)))):
            user = model["users"][member["user_id"]]
            user["two_factor"] = not user["two_factor"]
            member["updated_at"] = iso(self.now())
        for team, member in rng.sample(members, min(len(members), self.amount(len(members), 0.25))):
            self.remove_member(team, member)
        for _ in range(self.amount(len(members), 0.25)):
            self.add_member(rng.choice(model["teams"]), created=self.now())
        for app, drain in rng.sample(drains, min(len(drains), self.amount(len(drains), 0.5))):
            app["log_drains"].remove(drain)
        for _ in range(self.amount(self.counts["drains"], 0.5)):
            self.add_drain(rng.choice(apps), created=self.now())
        for app in rng.sample(apps, min(len(apps), self.amount(len(apps), 0.5))):
            self.add_collaborator(app)
        for app in rng.sample(apps, min(len(apps), self.amount(len(apps)))):
            if app["formation"]:
                process = rng.choice(app["formation"])
                process["quantity"] = (process["quantity"] + rng.choice([1, 2, 3])) % 6
                process["updated_at"] = iso(self.now())
        for app in rng.sample(apps, min(len(apps), self.amount(len(apps), 0.1))):
            self.rename_app(app)
        for app in rng.sample(apps, min(len(apps), self.amount(len(apps), 0.2))):
            self.delete_app(app)
        for _ in range(self.amount(self.counts["apps"], 0.2)):
            self.add_app(created=self.now())
        for _ in range(self.amount(self.counts["addons"], 0.25)):
            self.add_addon(rng.choice(model["apps"]), created=self.now(), state="provisioning")
        for addon in model["addons"]:
            if addon["state"] == "provisioning" and rng.random() < 0.5:
                addon["state"] = "provisioned"
                addon["config_vars"] = list(addon["config_vars_when_ready"])
                addon["updated_at"] = iso(self.now())
        self.renew_certificates()
        self.drift()

    def change_plan(self, addon):
        rng = self.rng
        service, plan = addon["plan"].split(":", 1)
        data = addon["data"]
        if data and data["kind"] == "tenant":
            choices = TENANT_PLANS
        elif data and data["kind"] == "dedicated":
            choices = DEDICATED_PLANS
        elif data and data["kind"] == "redis":
            choices = REDIS_PLANS
        elif data:
            return
        else:
            choices = next(plans for name, plans, _vars in OTHER_SERVICES if name == service)
        options = [p for p in choices if p != plan]
        if not options:
            return
        new_plan = rng.choice(options)
        addon["plan"] = "%s:%s" % (service, new_plan)
        addon["price_cents"] = PRICES.get(new_plan, addon["price_cents"])
        addon["updated_at"] = iso(self.now())
        if data:
            data["plan_short"] = new_plan
            data["plan_display"] = new_plan.replace("-", " ").title()
            if data["kind"] == "dedicated":
                data["plan_object"] = self.plan_object(new_plan)

    def remove_domain(self, app, domain):
        app["domains"].remove(domain)
        for endpoint in app["sni_endpoints"]:
            if domain["id"] in endpoint["domain_ids"]:
                endpoint["domain_ids"].remove(domain["id"])
                endpoint["updated_at"] = iso(self.now())

    def remove_member(self, team, member):
        team["members"].remove(member)
        for app in self.model["apps"]:
            if app["team_id"] == team["id"]:
                app["collaborators"] = [c for c in app["collaborators"] if c["user_id"] != member["user_id"]]

    def add_collaborator(self, app):
        model = self.model
        if app["team_id"]:
            team = next(t for t in model["teams"] if t["id"] == app["team_id"])
            present = {c["user_id"] for c in app["collaborators"]}
            candidates = [m for m in team["members"] if m["user_id"] not in present]
            if not candidates:
                return
            member = self.rng.choice(candidates)
            user_id, role, permissions = member["user_id"], member["role"], ["view", "deploy"]
        else:
            user_id, role, permissions = self.new_user()["id"], "collaborator", []
        created = iso(self.now())
        app["collaborators"].append({"created_at": created, "id": self.new_id("collaborator"), "permissions": permissions,
                                     "role": role, "updated_at": created, "user_id": user_id})

    def rename_app(self, app):
        app["name"] = self.unique_name()
        app["updated_at"] = iso(self.now())

    def delete_app(self, app):
        model = self.model
        model["apps"].remove(app)
        model["addons"] = [a for a in model["addons"] if a["app_id"] != app["id"]]
        for addon in model["addons"]:
            addon["attachments"] = [att for att in addon["attachments"] if att["app_id"] != app["id"]]
        model["transfers"].pop(app["id"], None)
        for pipeline in model["pipelines"]:
            pipeline["couplings"] = [c for c in pipeline["couplings"] if c["app_id"] != app["id"]]

    def renew_certificates(self):
        today = FIRST_DAY + dt.timedelta(days=self.day - 1)
        for app in self.model["apps"]:
            for endpoint in app["sni_endpoints"]:
                cert = endpoint["cert"]
                if cert["expires_at"] < iso(today + dt.timedelta(days=30)):
                    starts = today - dt.timedelta(hours=8)
                    cert.update({"expires_at": iso(starts + dt.timedelta(days=90)), "id": self.new_id("ssl-cert"),
                                 "starts_at": iso(starts)})
                    endpoint["certificate_chain"] = fake_pem(self.seed, endpoint["id"], self.day)
                    endpoint["updated_at"] = iso(self.now())

    def drift(self):
        """Move volatile fields: database sizes and connections, schedules, deploys, last login."""
        rng = self.rng
        model = self.model
        model["account"]["last_login"] = model["account"]["updated_at"] = iso(self.now(5))
        for addon in model["addons"]:
            data = addon["data"]
            if not data or addon["state"] != "provisioned":
                continue
            if data["kind"] in ("tenant", "dedicated"):
                data["num_bytes"] += rng.randrange(0, 1 + data["num_bytes"] // 200)
                data["num_connections"] = max(0, min(data["connection_limit"], data["num_connections"] + rng.randrange(-5, 6)))
                if rng.random() < 0.1:
                    data["num_tables"] += 1
                if data["kind"] == "dedicated":
                    data["current_transaction"] += rng.randrange(1000, 10 ** 6)
                for item in data["schedules"]:
                    item["updated_at"] = data_api_time(FIRST_DAY + dt.timedelta(days=self.day - 1, hours=item["hour"] % 6,
                                                                                  seconds=rng.randrange(5, 40)))
            elif data["kind"] == "advanced":
                data["connections_used"] = max(0, data["connections_used"] + rng.randrange(-20, 21))
                data["pools"][0]["connections_used"] = data["connections_used"]
                data["storage_gb"] = round(data["storage_gb"] + rng.uniform(0, 0.5), 1)
        for app in rng.sample(model["apps"], max(1, len(model["apps"]) // 20)):
            created = self.now()
            version = app["releases"][-1]["version"] + 1 if app["releases"] else 1
            for item in app["releases"]:
                item["current"] = False
                item["eligible_for_rollback"] = True
            app["releases"].append({
                "addon_plan_names": [], "created_at": iso(created), "current": True,
                "description": "Deploy %s" % hexdigest(app["id"], version, length=7), "eligible_for_rollback": False,
                "id": self.new_id("release"), "slug_id": self.new_id("slug"), "status": "succeeded",
                "updated_at": iso(created), "user_id": app["collaborators"][0]["user_id"], "version": version})
            app["releases"] = app["releases"][-5:]
            app["released_at"] = app["updated_at"] = iso(created)
            app["slug_size"] += rng.randrange(-50000, 50000)
            app["repo_size"] += rng.randrange(0, 20000)


# ----- writing ------------------------------------------------------------------


def folder_size(path):
    total = 0
    for root, _dirs, names in os.walk(path):
        for name in names:
            total += os.path.getsize(os.path.join(root, name))
    return total


def write_json_gz(path, body):
    """Write compact JSON, gzip-compressed with a zero timestamp so that reruns give identical bytes."""
    data = json.dumps(body, separators=(",", ":"), sort_keys=True).encode("utf-8")
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as handle:
        handle.write(data)


def main():
    parser = argparse.ArgumentParser(description="Generate a large synthetic Heroku account (base day plus daily change lists).")
    parser.add_argument("--out", required=True, help="output folder (replaced if it exists)")
    parser.add_argument("--seed", type=int, default=1, help="random seed; the same seed and sizes give identical output")
    parser.add_argument("--small", action="store_true", help="use the small preset: %s" % PRESETS["small"])
    for name in ("apps", "addons", "teams", "members", "domains", "drains", "days"):
        parser.add_argument("--" + name, type=int, help="number of %s (default %d, small preset %d)"
                            % (name, PRESETS["full"][name], PRESETS["small"][name]))
    parser.add_argument("--churn", type=float, help="fraction of each resource population that really changes per day "
                        "(default %g, small preset %g)" % (PRESETS["full"]["churn"], PRESETS["small"]["churn"]))
    parser.add_argument("--full-days", action="store_true", help="also write day-2 .. day-N as full day folders")
    parser.add_argument("--verify", action="store_true", help="check that the change lists reproduce every rendered day")
    args = parser.parse_args()

    settings = dict(PRESETS["small" if args.small else "full"])
    for name in settings:
        if getattr(args, name) is not None:
            settings[name] = getattr(args, name)
    if settings["days"] < 1 or settings["apps"] < 1 or settings["teams"] < 1:
        parser.error("--days, --apps and --teams must be at least 1")

    # The model and the rendered days are acyclic JSON-like values freed by reference
    # counting; cyclic collections scanning them would dominate the run time.
    gc.disable()
    started = time.monotonic()
    if os.path.isdir(args.out):
        shutil.rmtree(args.out)
    os.makedirs(os.path.join(args.out, "changes"))

    generator = Generator(args.seed, settings["apps"], settings["addons"], settings["teams"], settings["members"],
                          settings["domains"], settings["drains"], settings["churn"])
    generator.build()
    files, statuses = render(generator.model)
    write_day(os.path.join(args.out, "day-1"), files, statuses)
    first_day_paths = len(files)
    print("day 1: %d paths" % len(files), flush=True)

    applied_files, applied_statuses = files, statuses
    operations = 0
    for day in range(2, settings["days"] + 1):
        generator.advance()
        new_files, new_statuses = render(generator.model)
        changes = {"files": diff_files(files, new_files),
                   "statuses": diff_files({"/_status": statuses}, {"/_status": new_statuses})}
        operations += len(changes["files"])
        write_json_gz(os.path.join(args.out, "changes", "day-%d.json.gz" % day), changes)
        if args.full_days:
            write_day(os.path.join(args.out, "day-%d" % day), new_files, new_statuses)
        if args.verify:
            applied_files = apply_day(applied_files, json.loads(json.dumps(changes["files"])))
            applied_statuses = apply_day({"/_status": applied_statuses}, changes["statuses"])["/_status"]
            if applied_files != new_files or applied_statuses != new_statuses:
                raise SystemExit("verification failed on day %d: the change list does not reproduce the rendered day" % day)
        files, statuses = new_files, new_statuses
        if day % 10 == 0 or day == settings["days"]:
            print("day %d: %d paths, %d operations so far, %.0f s" % (day, len(files), operations,
                                                                      time.monotonic() - started), flush=True)

    with open(os.path.join(args.out, "token"), "w", encoding="utf-8") as handle:
        handle.write("HRKU-%s\n" % uid("synthetic-token", args.seed))
    elapsed = time.monotonic() - started
    manifest = {
        "days": settings["days"], "seed": args.seed, "settings": settings,
        "paths_day_1": first_day_paths, "paths_last_day": len(files), "operations": operations,
        "bytes_day_1": folder_size(os.path.join(args.out, "day-1")),
        "bytes_changes": folder_size(os.path.join(args.out, "changes")),
        "seconds": round(elapsed, 1), "full_days": args.full_days,
    }
    with open(os.path.join(args.out, "manifest.json"), "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=2, sort_keys=True)
        handle.write("\n")
    print(json.dumps(manifest, sort_keys=True))


if __name__ == "__main__":
    main()
