#!/usr/bin/env python3
"""Generate the sample Heroku account served by fake_heroku.py: Fixtures/sample/day-1 .. day-6.

Every value is fixed or derived from names, so running this script again rewrites
identical files. The account and the change planted on each day transition are
described in the README.md this script writes next to the day folders.

Usage: python3 Fixtures/make_sample.py [--out DIR]
"""

import argparse
import datetime as dt
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fixturelib.changes import describe  # noqa: E402
from fixturelib.common import (  # noqa: E402
    UTC, data_api_created, data_api_time, dumps_file, fake_pem, hexdigest, iso, uid, write_day,
)
from fixturelib.render import render  # noqa: E402

DAYS = 6
FIRST_DAY = dt.datetime(2026, 3, 25, tzinfo=UTC)

# The token the fake API accepts by default. It is also a planted secret: Docket must
# never write it to its store.
API_TOKEN = "HRKU-6f1d0c2e-9b7a-4c3d-8e21-5a4f3b2c1d0e"

# Planted secrets. Each value is unique, and a Docket store must contain none of them.
SECRET_DRAIN_PASSWORD = "drainpass-5e1d0c7b"
SECRET_DRAIN_TOKEN = "draintok-9a4f62e1"
SECRET_WORKER_DRAIN_TOKEN = "workerdrain-6b2d8e15"
SECRET_WEBHOOK_PASSWORD = "hookpass-33c8d1f0"
SECRET_PG_PASSWORD = "p8f3c1a9e2d74b6a0c5e1f9d3b7a2c4e6f8d0b1a3c5e7f9d2b4a6c8e0f1d3b5a7"
SECRET_METAAS_PASSWORD = "metaaspass-4d8a1f3e"
SECRET_METAAS_SERVER_PASSWORD = "metaassrvpass-72c0b9d4"
SECRET_ESSENTIAL_PASSWORD = "pe0b7d2c4f6a8e1c3b5d7f9a2c4e6b8d0f1a3c5e7b9d2f4a6c8e0b1d3f5a7c9e1"
SECRET_REDIS_PASSWORD = "p1c3e5a7b9d2f4c6e8a0b2d4f6c8e1a3b5d7f9c2e4a6b8d0f1e3c5a7b9d2f4c6e"
SECRET_REDIS_METAAS_PASSWORD = "redismetaas-8e2f6a1c"
SECRET_RELEASE_TOKEN = "HRKU-0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d"
SECRET_COMMAND_PASSWORD = "cmdpass-1c9e47d2"
SECRET_PROVISIONED_PASSWORD = "p5a7c9e1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f2a4c6e8b0d1f3a5c7e9b2d4f6a8c"
SECRET_TEAL_METAAS_PASSWORD = "tealmetaas-3b9e0d71"
SECRET_TEAL_METAAS_SERVER_PASSWORD = "tealmetaassrv-c2a8f540"

PG_HOST = "ec2-44-205-17-9.compute-1.amazonaws.com"
ESSENTIAL_HOST = "c5hil3v2rr0abc.cluster-czrs8kj4isg7.us-east-1.rds.amazonaws.com"
REDIS_HOST = "ec2-34-228-91-140.compute-1.amazonaws.com"


def day_start(day):
    return FIRST_DAY + dt.timedelta(days=day - 1)


def at(day, hour, minute=0, second=0):
    """Return an ISO timestamp on fixture day `day` (day 1 is 2026-03-25)."""
    return iso(day_start(day) + dt.timedelta(hours=hour, minutes=minute, seconds=second))


def fixed(text):
    """Return a fixed ISO timestamp given as YYYY-MM-DD HH:MM:SS."""
    return iso(dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC))


def capture_time(day):
    return day_start(day) + dt.timedelta(hours=6)


# ----- people, teams, regions, stacks ---------------------------------------

PEOPLE = {
    # key: (email, name, federated, two_factor on day 1)
    "compliance": ("compliance@acme.example", "Acme Compliance", False, True),
    "alice": ("alice@acme.example", "Alice Nguyen", False, True),
    "bob": ("bob@acme.example", "Bob Martins", False, False),
    "carol": ("carol@acme.example", "Carol Diaz", False, True),
    "dave": ("dave@contractor.example", "Dave Okafor", False, False),
    "erin": ("erin@acme.example", "Erin Walsh", True, False),
    "frank": ("frank@acme.example", "Frank Li", False, True),
    "grace": ("grace@acme.example", "Grace Kim", False, True),
    "henry": ("henry@partner.example", "Henry Adams", False, False),
    "jdoe": ("jdoe@acme.example", "John Doe", False, True),
    # Team apps are owned by the team's pseudo-user, as on Heroku.
    "team-acme": ("acme@herokumanager.com", None, False, False),
    "team-acme-data": ("acme-data@herokumanager.com", None, False, False),
}


def user_id(key):
    return uid("user", key)


def build_users(day):
    users = {}
    for key, (email, name, federated, two_factor) in PEOPLE.items():
        if key == "bob" and day >= 2:
            two_factor = True  # day 1 -> 2: Bob enables two-factor authentication
        users[user_id(key)] = {
            "email": email, "federated": federated, "id": user_id(key), "name": name, "two_factor": two_factor,
        }
    return users


REGIONS = [
    # name, description, country, locale, private_capable, provider region
    ("us", "United States", "United States", "Virginia", False, "us-east-1"),
    ("eu", "Europe", "Ireland", "Dublin", False, "eu-west-1"),
    ("virginia", "Virginia, United States", "United States", "Virginia", True, "us-east-1"),
    ("oregon", "Oregon, United States", "United States", "Oregon", True, "us-west-2"),
    ("frankfurt", "Frankfurt, Germany", "Germany", "Frankfurt", True, "eu-central-1"),
    ("dublin", "Dublin, Ireland", "Ireland", "Dublin", True, "eu-west-1"),
    ("tokyo", "Tokyo, Japan", "Japan", "Tokyo", True, "ap-northeast-1"),
    ("sydney", "Sydney, Australia", "Australia", "New South Wales", True, "ap-southeast-2"),
]


def build_regions():
    return [
        {
            "country": country, "created_at": fixed("2012-11-21 20:44:16"), "description": description,
            "locale": locale, "name": name, "private_capable": private, "provider_region": provider,
            "updated_at": fixed("2023-09-18 17:02:45"),
        }
        for name, description, country, locale, private, provider in REGIONS
    ]


def build_stacks():
    return [
        {"created_at": fixed("2020-05-14 15:09:41"), "default": False, "name": "heroku-20",
         "state": "deprecated", "updated_at": fixed("2025-05-01 00:00:00")},
        {"created_at": fixed("2022-05-02 16:30:12"), "default": False, "name": "heroku-22",
         "state": "public", "updated_at": fixed("2024-06-04 09:10:20")},
        {"created_at": fixed("2024-05-21 14:00:00"), "default": True, "name": "heroku-24",
         "state": "public", "updated_at": fixed("2024-12-03 11:45:09")},
    ]


def member(team, person, role, created, updated=None):
    return {
        "created_at": created, "id": uid("member", team, person), "role": role,
        "updated_at": updated or created, "user_id": user_id(person),
    }


def build_teams(day):
    acme_members = [
        member("acme", "compliance", "admin", fixed("2019-04-02 15:20:11")),
        member("acme", "alice", "admin", fixed("2019-04-02 15:31:40")),
        member("acme", "bob", "member", fixed("2021-01-11 09:03:27"),
               at(1, 9, 41, 12) if day >= 2 else fixed("2024-08-30 12:00:03")),
        member("acme", "carol", "member", fixed("2022-06-20 13:47:55")),
        member("acme", "dave", "collaborator", fixed("2025-10-06 08:15:00")),
        member("acme", "jdoe", "member", fixed("2023-02-27 10:10:10")),
    ]
    if day >= 5:
        # day 4 -> 5: Carol leaves team acme.
        acme_members = [m for m in acme_members if m["user_id"] != user_id("carol")]
    acme_data_id = uid("team", "acme-data")
    acme_data_members = [
        member("acme-data", "compliance", "admin", fixed("2021-09-14 11:00:00")),
        member("acme-data", "frank", "admin", fixed("2021-09-14 11:02:31")),
        member("acme-data", "grace", "member", fixed("2022-03-08 16:20:00")),
        member("acme-data", "erin", "member", fixed("2024-01-15 08:30:45")),
        member("acme-data", "henry", "collaborator", fixed("2025-07-01 14:12:09")),
    ]
    return [
        {
            "created_at": fixed("2019-04-02 15:20:11"), "credit_card_collections": True, "default": True,
            "enterprise_account": None, "id": uid("team", "acme"), "identity_provider": None,
            "members": acme_members, "membership_limit": None, "name": "acme", "provisioned_licenses": False,
            "role": "admin", "type": "team", "updated_at": fixed("2025-11-03 10:04:51"),
        },
        {
            "created_at": fixed("2021-09-14 11:00:00"), "credit_card_collections": True, "default": False,
            "enterprise_account": None, "id": acme_data_id,
            "identity_provider": {
                "id": uid("identity-provider", "acme-sso"), "name": "acme-sso",
                "owner": {"id": acme_data_id, "name": "acme-data", "type": "team"},
            },
            "members": acme_data_members, "membership_limit": 25, "name": "acme-data",
            "provisioned_licenses": False, "role": "admin", "type": "team",
            "updated_at": fixed("2025-02-19 15:33:02"),
        },
    ]


def build_spaces(day):
    rules_day_1 = [
        {"action": "allow", "source": "203.0.113.0/24"},
        {"action": "allow", "source": "198.51.100.10/32"},
        {"action": "allow", "source": "0.0.0.0/0"},
    ]
    if day == 1:
        ruleset = {"created_at": fixed("2026-03-20 16:42:10"), "created_by": "alice@acme.example",
                   "id": uid("inbound-ruleset", "acme-private", 1), "rules": rules_day_1}
    else:
        # day 1 -> 2: the allow-all rule is replaced by the office VPN range (a new ruleset).
        ruleset = {"created_at": at(1, 21, 14, 3), "created_by": "compliance@acme.example",
                   "id": uid("inbound-ruleset", "acme-private", 2),
                   "rules": rules_day_1[:2] + [{"action": "allow", "source": "192.0.2.64/26"}]}
    return [{
        "cidr": "10.0.0.0/16", "created_at": fixed("2023-06-12 10:00:00"), "data_cidr": "10.1.0.0/16",
        "id": uid("space", "acme-private"), "name": "acme-private",
        "nat": {"created_at": fixed("2023-06-12 10:21:33"), "sources": ["3.215.88.40", "54.173.20.11"],
                "state": "enabled", "updated_at": fixed("2023-06-12 10:21:33")},
        "region": "virginia", "ruleset": ruleset, "shield": False, "state": "allocated",
        "team_id": uid("team", "acme"), "updated_at": fixed("2025-09-09 12:00:00"),
    }]


# ----- per-app building blocks -----------------------------------------------

ALL_PERMISSIONS = ["view", "deploy", "operate", "manage"]

FEATURES = {
    # name: (display name, description, changed description from day 4 on, doc url, state)
    "preboot": (
        "Preboot",
        "Provide seamless web dyno deploys.",
        "Provide seamless web dyno deploys by starting new dynos before old ones stop.",
        "https://devcenter.heroku.com/articles/preboot", "general"),
    "runtime-dyno-metadata": (
        "Runtime Dyno Metadata",
        "Enable dyno metadata in environment variables.",
        None,
        "https://devcenter.heroku.com/articles/dyno-metadata", "beta"),
    "log-runtime-metrics": (
        "Log runtime metrics",
        "Emit dyno resource usage information into app logs.",
        "Emit dyno resource usage (memory, swap, load average) into app logs.",
        "https://devcenter.heroku.com/articles/log-runtime-metrics", "beta"),
    "http-session-affinity": (
        "HTTP Session Affinity",
        "Enable session affinity for all requests.",
        None,
        "https://devcenter.heroku.com/articles/session-affinity", "general"),
    "spaces-dns-discovery": (
        "DNS Service Discovery for Private Spaces",
        "Allow apps in a Private Space to find each other through DNS.",
        None,
        "https://devcenter.heroku.com/articles/dyno-dns-service-discovery", "general"),
}


def features(app_slug, day, enabled, names=("preboot", "runtime-dyno-metadata", "log-runtime-metrics",
                                            "http-session-affinity")):
    result = []
    for name in names:
        display, description, later_description, doc_url, state = FEATURES[name]
        updated = fixed("2025-01-07 19:22:31")
        if later_description and day >= 4:
            # day 3 -> 4: Heroku rewords the description (volatile, no configuration change).
            description = later_description
            updated = at(3, 21, 4, 55)
        result.append({
            "created_at": fixed("2024-02-01 00:00:00"), "description": description, "display_name": display,
            "doc_url": doc_url, "enabled": name in enabled, "feedback_email": "feedback@heroku.com",
            "id": uid("feature", app_slug, name), "name": name, "state": state, "updated_at": updated,
        })
    return result


def collaborator(app_slug, person, role, permissions, created):
    return {"created_at": created, "id": uid("collaborator", app_slug, person), "permissions": list(permissions),
            "role": role, "updated_at": created, "user_id": user_id(person)}


def heroku_domain(app_slug, created):
    return {"acm_status": None, "acm_status_reason": None, "cname": None, "created_at": created,
            "hostname": None, "id": uid("domain", app_slug, "heroku"), "kind": "heroku",
            "sni_endpoint_id": None, "status": "succeeded", "updated_at": created}


def custom_domain(app_slug, hostname, created, sni_endpoint_id, acm_status=None):
    return {"acm_status": acm_status, "acm_status_reason": None,
            "cname": "%s-%s.herokudns.com" % (hostname.split(".")[0], hexdigest("cname", hostname, length=16)),
            "created_at": created, "hostname": hostname, "id": uid("domain", app_slug, hostname),
            "kind": "custom", "sni_endpoint_id": sni_endpoint_id, "status": "succeeded", "updated_at": created}


def process(app_slug, kind, command, quantity, size, created, updated=None):
    return {"command": command, "created_at": created, "id": uid("formation", app_slug, kind),
            "quantity": quantity, "size": size, "type": kind, "updated_at": updated or created}


def release(app_slug, version, description, person, created, plans, current=False):
    return {"addon_plan_names": list(plans), "created_at": created, "current": current,
            "description": description, "eligible_for_rollback": not current,
            "id": uid("release", app_slug, version), "slug_id": uid("slug", app_slug, version),
            "status": "succeeded", "updated_at": created, "user_id": user_id(person), "version": version}


def mark_current(releases):
    for item in releases:
        item["current"] = False
        item["eligible_for_rollback"] = True
    releases[-1]["current"] = True
    releases[-1]["eligible_for_rollback"] = False
    return releases


def app_record(slug, name, team, owner, region, stack, created, **fields):
    record = {
        "acm": False, "archived_at": None, "build_stack": stack, "buildpack_provided_description": None,
        "buildpacks": [], "collaborators": [], "created_at": created, "domains": [], "features": [],
        "formation": [], "id": uid("app", slug), "internal_routing": None, "locked": False, "log_drains": [],
        "maintenance": False, "name": name, "owner_id": user_id(owner), "region": region, "releases": [],
        "released_at": created, "repo_size": None, "slug": slug, "slug_size": None, "sni_endpoints": [],
        "space_id": None, "stack": stack, "team_id": uid("team", team) if team else None,
        "updated_at": created, "web_suffix": hexdigest("web-suffix", slug, length=12), "webhooks": [],
    }
    record.update(fields)
    return record


BUILDPACKS = {
    "nodejs": {"name": "heroku/nodejs", "url": "https://buildpack-registry.s3.amazonaws.com/buildpacks/heroku/nodejs.tgz"},
    "ruby": {"name": "heroku/ruby", "url": "https://buildpack-registry.s3.amazonaws.com/buildpacks/heroku/ruby.tgz"},
    "python": {"name": "heroku/python", "url": "https://buildpack-registry.s3.amazonaws.com/buildpacks/heroku/python.tgz"},
    "go": {"name": "heroku/go", "url": "https://buildpack-registry.s3.amazonaws.com/buildpacks/heroku/go.tgz"},
}


def daily(day, hour, minute, slug):
    """Return an updated_at that moves every day, a few hours before the day's capture."""
    return at(day, hour, minute, 7 + len(slug))


# ----- the apps --------------------------------------------------------------

def redis_plan(day):
    return "heroku-redis:premium-1" if day >= 3 else "heroku-redis:premium-0"


def acme_api(day):
    slug = "acme-api"
    plans = ["heroku-postgresql:premium-0", redis_plan(day), "papertrail:fixa"]
    releases = [
        release(slug, 118, "Deploy 52be0f1", "alice", fixed("2026-03-18 14:02:11"), plans[:1] + ["heroku-redis:premium-0", plans[2]]),
        release(slug, 119, "Set FEATURE_FLAGS config vars", "bob", fixed("2026-03-20 10:15:40"), plans[:1] + ["heroku-redis:premium-0", plans[2]]),
        release(slug, 120, "Deploy 7c1e9a2", "alice", fixed("2026-03-24 16:48:03"), plans[:1] + ["heroku-redis:premium-0", plans[2]]),
    ]
    if day >= 2:
        releases.append(release(slug, 121, "Deploy 4e1c0d2", "alice", at(1, 15, 3, 27), plans[:1] + ["heroku-redis:premium-0", plans[2]]))
    if day >= 5:
        releases.append(release(slug, 122, "Deploy a93f5be", "bob", at(4, 13, 20, 45), plans))
    mark_current(releases)
    released_at = releases[-1]["created_at"]
    slug_size, repo_size = 61203456, 18734592
    if day >= 2:
        slug_size, repo_size = 61419520, 18800640
    if day >= 4:
        # day 3 -> 4: volatile only (a slug and repository recompile, a dyno restart time)
        slug_size, repo_size, released_at = 61421568, 18802688, at(3, 22, 5, 12)
    if day >= 5:
        slug_size, repo_size, released_at = 61583360, 18866176, releases[-1]["created_at"]

    collaborators = [
        collaborator(slug, "compliance", "admin", ALL_PERMISSIONS, fixed("2021-02-10 09:12:44")),
        collaborator(slug, "alice", "admin", ALL_PERMISSIONS, fixed("2021-02-10 09:15:02")),
        collaborator(slug, "bob", "member", ["view", "deploy", "operate"], fixed("2021-03-01 11:00:00")),
    ]
    if day >= 3:
        # day 2 -> 3: Dave (contractor) becomes a collaborator.
        collaborators.append(collaborator(slug, "dave", "collaborator", ["view", "deploy"], at(2, 11, 48, 30)))
    if day >= 4:
        # day 3 -> 4: the API returns Alice's permissions in another order (no real change).
        collaborators[1]["permissions"] = ["manage", "view", "operate", "deploy"]

    acm_endpoint = uid("sni-endpoint", slug, "acm")
    return app_record(
        slug, "acme-api", "acme", "team-acme", "us", "heroku-24", fixed("2021-02-10 09:12:44"),
        acm=True, buildpack_provided_description="Node.js", buildpacks=[BUILDPACKS["nodejs"]],
        collaborators=collaborators,
        domains=[
            heroku_domain(slug, fixed("2021-02-10 09:12:44")),
            custom_domain(slug, "api.acme.example", fixed("2021-02-11 08:00:19"), acm_endpoint, "cert issued"),
        ],
        features=features(slug, day, {"preboot", "runtime-dyno-metadata"}),
        formation=[
            process(slug, "web", "node server.js", 2, "performance-m", fixed("2021-02-10 09:20:00"), fixed("2025-12-01 10:00:00")),
            process(slug, "worker", "node jobs/index.js", 1, "standard-2x", fixed("2021-05-04 12:00:00")),
        ],
        log_drains=[
            {"addon_id": uid("addon", "papertrail"), "created_at": fixed("2022-01-19 10:33:00"),
             "id": uid("log-drain", slug, "papertrail"), "token": "d.%s" % uid("drain-token", slug, "papertrail"),
             "updated_at": fixed("2022-01-19 10:33:00"), "url": "syslog+tls://logs7.papertrailapp.com:41936"},
            {"addon_id": None, "created_at": fixed("2024-04-02 09:00:00"), "id": uid("log-drain", slug, "siem"),
             "token": "d.%s" % uid("drain-token", slug, "siem"), "updated_at": fixed("2024-04-02 09:00:00"),
             "url": "https://drainuser:%s@logs.example.com/x?token=%s" % (SECRET_DRAIN_PASSWORD, SECRET_DRAIN_TOKEN)},
        ],
        released_at=released_at, releases=releases, repo_size=repo_size, slug_size=slug_size,
        sni_endpoints=[{
            "cert": {"acm": True, "ca_signed": True, "cert_domains": ["api.acme.example"],
                     "expires_at": fixed("2026-05-15 04:09:59"), "id": uid("ssl-cert", slug, "acm-1"),
                     "issuer": "/C=US/O=Let's Encrypt/CN=R11", "self_signed": False,
                     "starts_at": fixed("2026-02-14 04:10:00"), "subject": "/CN=api.acme.example"},
            "certificate_chain": fake_pem(slug, "acm-1"), "created_at": fixed("2026-02-14 05:10:00"),
            "display_name": None, "domain_ids": [uid("domain", slug, "api.acme.example")], "id": acm_endpoint,
            "name": "brachiosaurus-30582", "updated_at": fixed("2026-02-14 05:10:00"),
        }],
        updated_at=daily(day, 4, 30, slug),
        webhooks=[{
            "created_at": fixed("2023-08-09 13:13:13"), "id": uid("webhook", slug, "deploys"),
            "include": ["api:release", "api:build"], "level": "sync", "updated_at": fixed("2023-08-09 13:13:13"),
            "url": "https://hookuser:%s@hooks.acme.example/heroku/events" % SECRET_WEBHOOK_PASSWORD,
        }],
    )


def acme_web(day):
    slug = "acme-web"
    name = "acme-storefront" if day >= 3 else "acme-web"  # day 2 -> 3: renamed
    endpoint_id = uid("sni-endpoint", slug, "www")
    domains = [
        heroku_domain(slug, fixed("2020-07-01 12:00:00")),
        custom_domain(slug, "www.acme.example", fixed("2020-07-02 09:30:00"), endpoint_id),
    ]
    domain_ids = [uid("domain", slug, "www.acme.example")]
    if day >= 2:
        # day 1 -> 2: custom domain shop.acme.example added, served by the same certificate.
        domains.append(custom_domain(slug, "shop.acme.example", at(1, 10, 21, 44), endpoint_id))
        domain_ids.append(uid("domain", slug, "shop.acme.example"))
    if day >= 6:
        # day 5 -> 6: the certificate is renewed (new dates, new chain, same endpoint).
        cert = {"ca_signed": True, "cert_domains": ["www.acme.example", "shop.acme.example"],
                "expires_at": fixed("2027-04-06 23:59:59"), "id": uid("ssl-cert", slug, "www-2026"),
                "issuer": "/C=US/O=DigiCert Inc/CN=DigiCert Global G2 TLS RSA SHA256 2020 CA1",
                "self_signed": False, "starts_at": fixed("2026-03-29 00:00:00"), "subject": "/CN=www.acme.example"}
        chain, endpoint_updated = fake_pem(slug, "www-2026"), at(5, 16, 2, 38)
    else:
        cert = {"ca_signed": True, "cert_domains": ["www.acme.example", "shop.acme.example"],
                "expires_at": fixed("2026-04-07 23:59:59"), "id": uid("ssl-cert", slug, "www-2025"),
                "issuer": "/C=US/O=DigiCert Inc/CN=DigiCert Global G2 TLS RSA SHA256 2020 CA1",
                "self_signed": False, "starts_at": fixed("2025-04-07 00:00:00"), "subject": "/CN=www.acme.example"}
        chain, endpoint_updated = fake_pem(slug, "www-2025"), fixed("2025-04-08 10:12:00")
    if day >= 2:
        endpoint_updated = max(endpoint_updated, at(1, 10, 22, 1))
    releases = mark_current([
        release(slug, 57, "Deploy 0d4c2b1", "bob", fixed("2026-03-10 09:00:00"), ["heroku-postgresql:essential-0"]),
        release(slug, 58, "Deploy 6a7b8c9", "bob", fixed("2026-03-23 17:30:00"), ["heroku-postgresql:essential-0"]),
    ])
    slug_size = 88342528 if day < 4 else 88344576
    repo_size = 40210432 if day < 4 else 40212480
    return app_record(
        slug, name, "acme", "team-acme", "us", "heroku-22", fixed("2020-07-01 12:00:00"),
        buildpack_provided_description="Ruby", buildpacks=[BUILDPACKS["ruby"], BUILDPACKS["nodejs"]],
        collaborators=[
            collaborator(slug, "compliance", "admin", ALL_PERMISSIONS, fixed("2020-07-01 12:00:00")),
            collaborator(slug, "alice", "admin", ALL_PERMISSIONS, fixed("2020-07-01 12:05:00")),
            collaborator(slug, "bob", "member", ["view", "deploy"], fixed("2021-01-11 09:10:00")),
        ],
        domains=domains,
        features=features(slug, day, {"http-session-affinity"}),
        formation=[process(slug, "web", "bundle exec puma -C config/puma.rb", 2, "standard-2x", fixed("2020-07-01 12:10:00"))],
        released_at=releases[-1]["created_at"] if day < 4 else at(3, 23, 1, 9),
        releases=releases, repo_size=repo_size, slug_size=slug_size,
        sni_endpoints=[{
            "cert": cert, "certificate_chain": chain, "created_at": fixed("2020-07-02 09:35:00"),
            "display_name": "www-acme", "domain_ids": domain_ids, "id": endpoint_id,
            "name": "stegosaurus-48213", "updated_at": endpoint_updated,
        }],
        updated_at=at(2, 14, 55, 1) if day == 3 else daily(day, 3, 10, slug),
    )


def acme_worker(day):
    slug = "acme-worker"
    collaborators = [
        collaborator(slug, "compliance", "admin", ALL_PERMISSIONS, fixed("2021-05-04 12:00:00")),
        collaborator(slug, "alice", "admin", ALL_PERMISSIONS, fixed("2021-05-04 12:00:30")),
        collaborator(slug, "carol", "member", ["view", "operate"], fixed("2022-06-21 09:00:00")),
    ]
    drains = [{
        "addon_id": None, "created_at": fixed("2022-09-12 15:45:00"), "id": uid("log-drain", slug, "syslog"),
        "token": "d.%s" % uid("drain-token", slug, "syslog"), "updated_at": fixed("2022-09-12 15:45:00"),
        "url": "syslog+tls://logs.example.net:6514/?token=%s" % SECRET_WORKER_DRAIN_TOKEN,
    }]
    if day >= 5:
        # day 4 -> 5: Carol left team acme, so she is no longer a collaborator; the syslog drain is removed.
        collaborators = [c for c in collaborators if c["user_id"] != user_id("carol")]
        drains = []
    command = ("python -m worker --db postgres://migrator:%s@%s:5432/d4kq1v7n8r2s" % (SECRET_COMMAND_PASSWORD, PG_HOST))
    return app_record(
        slug, "acme-worker", "acme", "team-acme", "us", "heroku-20", fixed("2021-05-04 12:00:00"),
        buildpack_provided_description="Python", buildpacks=[BUILDPACKS["python"]],
        collaborators=collaborators, domains=[heroku_domain(slug, fixed("2021-05-04 12:00:00"))],
        features=features(slug, day, {"log-runtime-metrics"}),
        formation=[
            process(slug, "worker", command, 3, "standard-1x", fixed("2021-05-04 12:30:00"), fixed("2025-06-30 08:00:00")),
            process(slug, "clock", "python clock.py", 1, "basic", fixed("2021-05-04 12:31:00")),
        ],
        log_drains=drains,
        released_at=fixed("2026-02-27 11:11:11"),
        releases=mark_current([
            release(slug, 33, "Deploy 9e8d7c6", "carol", fixed("2026-02-27 11:11:11"), ["scheduler:standard"]),
        ]),
        repo_size=9437184, slug_size=73400320, updated_at=fixed("2026-02-27 11:11:11"),
    )


def acme_api_staging(day):
    slug = "acme-api-staging"
    releases = mark_current([
        release(slug, 301, "Deploy 7c1e9a2", "alice", fixed("2026-03-24 12:00:05"), []),
    ] + ([release(slug, 302, "Deploy 4e1c0d2", "alice", at(1, 12, 40, 0), [])] if day >= 2 else []))
    return app_record(
        slug, "acme-api-staging", "acme", "team-acme", "us", "heroku-24", fixed("2021-02-12 10:00:00"),
        buildpack_provided_description="Node.js", buildpacks=[BUILDPACKS["nodejs"]],
        collaborators=[
            collaborator(slug, "compliance", "admin", ALL_PERMISSIONS, fixed("2021-02-12 10:00:00")),
            collaborator(slug, "alice", "admin", ALL_PERMISSIONS, fixed("2021-02-12 10:00:10")),
            collaborator(slug, "bob", "member", ["view", "deploy", "operate"], fixed("2021-03-01 11:00:05")),
            collaborator(slug, "dave", "collaborator", ["view", "deploy"], fixed("2025-10-06 08:20:00")),
        ],
        domains=[heroku_domain(slug, fixed("2021-02-12 10:00:00"))],
        features=features(slug, day, {"preboot"}),
        formation=[process(slug, "web", "node server.js", 1, "standard-1x", fixed("2021-02-12 10:05:00"))],
        released_at=releases[-1]["created_at"], releases=releases,
        repo_size=18734592 if day < 2 else 18800640, slug_size=61202432 if day < 2 else 61418496,
        updated_at=releases[-1]["created_at"],
    )


def acme_internal(day):
    slug = "acme-internal"
    return app_record(
        slug, "acme-internal", "acme", "team-acme", "virginia", "heroku-24", fixed("2023-06-13 09:00:00"),
        buildpack_provided_description="Go", buildpacks=[BUILDPACKS["go"]],
        collaborators=[
            collaborator(slug, "compliance", "admin", ALL_PERMISSIONS, fixed("2023-06-13 09:00:00")),
            collaborator(slug, "alice", "admin", ALL_PERMISSIONS, fixed("2023-06-13 09:01:00")),
        ],
        domains=[heroku_domain(slug, fixed("2023-06-13 09:00:00"))],
        features=features(slug, day, {"spaces-dns-discovery"}, names=("spaces-dns-discovery", "runtime-dyno-metadata")),
        formation=[process(slug, "web", "bin/internal-api", 2, "private-m", fixed("2023-06-13 09:10:00"))],
        internal_routing=True, released_at=fixed("2026-03-02 08:45:00"),
        releases=mark_current([release(slug, 88, "Deploy c0ffee1", "alice", fixed("2026-03-02 08:45:00"),
                                       ["heroku-postgresql:advanced-private"])]),
        repo_size=5242880, slug_size=20971520, space_id=uid("space", "acme-private"),
        updated_at=fixed("2026-03-02 08:45:00"),
    )


def acme_analytics(day):
    slug = "acme-analytics"
    return app_record(
        slug, "acme-analytics", "acme-data", "team-acme-data", "eu", "heroku-24", fixed("2021-09-15 10:00:00"),
        buildpack_provided_description="Python", buildpacks=[BUILDPACKS["python"]],
        collaborators=[
            collaborator(slug, "compliance", "admin", ALL_PERMISSIONS, fixed("2021-09-15 10:00:00")),
            collaborator(slug, "frank", "admin", ALL_PERMISSIONS, fixed("2021-09-15 10:00:30")),
            collaborator(slug, "grace", "member", ["view", "deploy", "operate"], fixed("2022-03-08 16:30:00")),
            collaborator(slug, "erin", "member", ["view"], fixed("2024-01-15 09:00:00")),
        ],
        domains=[heroku_domain(slug, fixed("2021-09-15 10:00:00"))],
        features=features(slug, day, set()),
        formation=[process(slug, "web", "gunicorn analytics.wsgi", 1, "standard-1x", fixed("2021-09-15 10:10:00"))],
        released_at=fixed("2026-03-19 15:00:00"),
        releases=mark_current([release(slug, 140, "Deploy 1b2c3d4", "grace", fixed("2026-03-19 15:00:00"), [])]),
        repo_size=3145728, slug_size=157286400,
        updated_at=fixed("2026-03-25 05:41:00"),
    )


def acme_legacy(day):
    slug = "acme-legacy"
    return app_record(
        slug, "acme-legacy", "acme-data", "team-acme-data", "us", "heroku-20", fixed("2017-05-22 13:37:00"),
        buildpack_provided_description="PHP",
        buildpacks=[{"name": "heroku/php", "url": "https://buildpack-registry.s3.amazonaws.com/buildpacks/heroku/php.tgz"}],
        collaborators=[
            collaborator(slug, "compliance", "admin", ALL_PERMISSIONS, fixed("2021-09-14 11:30:00")),
            collaborator(slug, "frank", "admin", ALL_PERMISSIONS, fixed("2021-09-14 11:30:30")),
        ],
        domains=[
            heroku_domain(slug, fixed("2017-05-22 13:37:00")),
            custom_domain(slug, "legacy.acme.example", fixed("2017-06-01 08:00:00"), None),
        ],
        features=features(slug, day, set()),
        formation=[process(slug, "web", "vendor/bin/heroku-php-apache2 public/", 1, "basic", fixed("2017-05-22 13:40:00"))],
        maintenance=True, released_at=fixed("2024-11-11 11:11:11"),
        releases=mark_current([release(slug, 512, "Deploy 5e5e5e5", "frank", fixed("2024-11-11 11:11:11"), [])]),
        repo_size=52428800, slug_size=94371840, updated_at=fixed("2025-01-20 09:00:00"),
    )


def jdoe_sandbox(day):
    slug = "jdoe-sandbox"
    return app_record(
        slug, "jdoe-sandbox", None, "jdoe", "eu", "heroku-22", fixed("2024-09-09 19:19:19"),
        buildpack_provided_description="Go", buildpacks=[BUILDPACKS["go"]],
        collaborators=[
            collaborator(slug, "jdoe", "owner", [], fixed("2024-09-09 19:19:19")),
            collaborator(slug, "compliance", "collaborator", [], fixed("2025-02-03 10:00:00")),
        ],
        domains=[heroku_domain(slug, fixed("2024-09-09 19:19:19"))],
        features=features(slug, day, {"runtime-dyno-metadata"}),
        formation=[process(slug, "web", "bin/sandbox", 1, "eco", fixed("2024-09-09 19:25:00"))],
        released_at=fixed("2026-03-21 22:10:05"),
        releases=mark_current([
            release(slug, 14, "Deploy 3f3f3f3", "jdoe", fixed("2026-03-14 20:00:00"), []),
            release(slug, 15, "Deploy 9f1c2ab: ci now pushes with %s" % SECRET_RELEASE_TOKEN, "jdoe",
                    fixed("2026-03-21 22:10:05"), []),
        ]),
        repo_size=1048576, slug_size=10485760, updated_at=fixed("2026-03-21 22:10:05"),
    )


def acme_docs(day):
    slug = "acme-docs"
    created = at(1, 11, 5, 37)  # day 1 -> 2: app created
    return app_record(
        slug, "acme-docs", "acme", "team-acme", "us", "heroku-24", created,
        buildpack_provided_description="Node.js", buildpacks=[BUILDPACKS["nodejs"]],
        collaborators=[
            collaborator(slug, "compliance", "admin", ALL_PERMISSIONS, created),
            collaborator(slug, "alice", "admin", ALL_PERMISSIONS, created),
        ],
        domains=[heroku_domain(slug, created)],
        features=features(slug, day, set()),
        formation=[process(slug, "web", "npm run serve", 1, "basic", at(1, 11, 20, 0))],
        released_at=at(1, 11, 19, 48),
        releases=mark_current([
            release(slug, 1, "Initial release", "alice", created, []),
            release(slug, 2, "Enable Logplex", "alice", at(1, 11, 5, 38), []),
            release(slug, 3, "Deploy 1f2e3d4", "alice", at(1, 11, 19, 48), []),
        ]),
        repo_size=2097152, slug_size=31457280, updated_at=at(1, 11, 20, 0),
    )


def build_apps(day):
    apps = [acme_api(day), acme_web(day), acme_worker(day), acme_api_staging(day), acme_internal(day),
            acme_analytics(day), jdoe_sandbox(day)]
    if day >= 2:
        apps.append(acme_docs(day))
    if day < 5:
        apps.append(acme_legacy(day))  # day 4 -> 5: app deleted
    return apps


# ----- add-ons and data API --------------------------------------------------

PG_ACTIONS = [
    {"action": None, "id": uid("addon-action", "dataclip"), "label": "Create Dataclip", "requires_owner": None,
     "url": "http://dataclips.heroku.com/clips/new?heroku_resource_id=:resource_id&heroku_id=:resource_uuid"},
    {"action": None, "id": uid("addon-action", "capture"), "label": "Capture backup", "requires_owner": None,
     "url": "https://data.heroku.com/datastore/:resource_uuid?heroku_action=capture_backup"},
]


def attachment(addon_slug, app_slug, name, created):
    return {"app_id": uid("app", app_slug), "created_at": created, "id": uid("attachment", addon_slug, app_slug, name),
            "name": name, "namespace": None, "updated_at": created}


def schedule(addon_slug, day, hour, timezone, retain_weeks, retain_months, created):
    return {
        "callback_url": "https://xfrtuc.heroku.com/schedules/%s" % uid("schedule", addon_slug),
        "created_at": created, "days": ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
        "deleted_at": None, "hour": hour, "name": "DATABASE_URL", "retain_months": retain_months,
        "retain_weeks": retain_weeks, "timezone": timezone, "uuid": uid("schedule", addon_slug),
        # The schedule's updated_at moves after every nightly run (volatile).
        "updated_at": data_api_time(day_start(day) + dt.timedelta(hours=hour, seconds=14 + day)),
    }


def premium_postgres(day):
    slug = "premium-db"
    version = "16.3" if day >= 5 else "15.7"  # day 4 -> 5: major version upgrade
    return {
        "actions": PG_ACTIONS, "app_id": uid("app", "acme-api"),
        "attachments": [attachment(slug, "acme-api", "DATABASE", fixed("2022-11-03 14:25:51")),
                        attachment(slug, "acme-worker", "DATABASE", fixed("2022-11-03 14:40:00"))],
        "config_vars": ["DATABASE_URL"], "created_at": fixed("2022-11-03 14:25:51"), "id": uid("addon", slug),
        "name": "postgresql-cubic-41207", "plan": "heroku-postgresql:premium-0", "price_cents": 20000,
        "provider_id": "resource41207118@heroku.com",
        "provision_message": "Database has been created and is available",
        "state": "provisioned", "updated_at": at(4, 21, 12, 40) if day >= 5 else fixed("2025-08-14 09:30:00"),
        "data": {
            "kind": "dedicated", "connection_limit": 400, "created_at": data_api_created(dt.datetime(2022, 11, 3, 14, 26, 2, 311000, tzinfo=UTC)),
            "created_display": "2022-11-03 14:26", "credentials": 1,
            "current_transaction": 8812040123 + day * 4211987, "database_name": "d4kq1v7n8r2s",
            "database_password": SECRET_PG_PASSWORD, "database_user": "u9a3f2c7d1e0b5",
            "formation_id": uid("pg-formation", slug), "ha_status": "Available",
            "maintenance_window": "Sundays 22:30 to Mondays 02:30 UTC",
            "metaas_server_source": "dod-postgres-server://metaas:%s@%s:5433/metaas" % (SECRET_METAAS_SERVER_PASSWORD, PG_HOST),
            "metaas_source": "dod-postgres://metaas:%s@%s:5432/d4kq1v7n8r2s" % (SECRET_METAAS_PASSWORD, PG_HOST),
            "num_bytes": 6139601775 + day * 21474836, "num_connections": [0, 37, 41, 29, 44, 38, 40][day],
            "num_tables": 48 if day < 4 else 49,
            "plan_display": "Premium 0",
            "plan_object": {
                "attrs_unparsed": {"capacity_bytes": "68719476736", "hard_connlimit": "500", "maintenance_work_mem": "512MB",
                                   "soft_connlimit": "400", "work_mem": "32MB"},
                "bit_depth": 64, "created_at": "2019-06-10T18:01:44.000+00:00", "default_disk_iops": 3000,
                "default_disk_size": 68, "id": 412, "instance_type": "m5.large", "name": "premium-0",
                "service_slug": "heroku-postgresql", "slack_quantity": 5, "slots": "64.0", "status": "production",
                "tier": "premium", "virt_type": "hvm",
            },
            "postgres_version": version, "primary_id": uid("pg-primary", slug), "region": "us",
            "resource_url": "postgres://u9a3f2c7d1e0b5:%s@%s:5432/d4kq1v7n8r2s" % (SECRET_PG_PASSWORD, PG_HOST),
            "schedules": [schedule(slug, day, 2, "UTC", 4, 3, data_api_time(dt.datetime(2022, 11, 4, 8, 0, 1, tzinfo=UTC)))],
        },
    }


def essential_postgres(day):
    slug = "essential-db"
    return {
        "actions": PG_ACTIONS, "app_id": uid("app", "acme-web"),
        "attachments": [attachment(slug, "acme-web", "DATABASE", fixed("2024-05-13 10:00:00"))],
        "config_vars": ["DATABASE_URL"], "created_at": fixed("2024-05-13 10:00:00"), "id": uid("addon", slug),
        "name": "postgresql-shallow-58331", "plan": "heroku-postgresql:essential-0", "price_cents": 500,
        "provider_id": "resource58331902@heroku.com",
        "provision_message": "Database has been created and is available",
        "state": "provisioned", "updated_at": fixed("2024-05-13 10:03:12"),
        "data": {
            "kind": "tenant", "connection_limit": 20,
            "created_at": data_api_created(dt.datetime(2024, 5, 13, 10, 0, 41, 507000, tzinfo=UTC)),
            "created_display": "2024-05-13 10:00", "database_name": "db7r1kq0c3m2xa", "database_user": "u3k9d0f2a1b7c4",
            "num_bytes": 14891008 + day * 73728, "num_connections": [0, 3, 4, 2, 5, 3, 4][day],
            "num_tables": 12 if day < 4 else 13, "plan_display": "Essential 0", "plan_short": "essential-0",
            "postgres_version": "16.4",
            "resource_url": "postgres://u3k9d0f2a1b7c4:%s@%s:5432/db7r1kq0c3m2xa" % (SECRET_ESSENTIAL_PASSWORD, ESSENTIAL_HOST),
            "schedules": [schedule(slug, day, 3, "America/New_York", 1, 0,
                                   data_api_time(dt.datetime(2024, 5, 14, 7, 30, 0, tzinfo=UTC)))],
            "storage_limit_bytes": 1073741824, "storage_limit_display": "1 GB", "table_limit": 4000,
        },
    }


def advanced_postgres(day):
    slug = "advanced-db"
    pool_id = uid("pool", slug, "leader")
    return {
        "actions": [], "app_id": uid("app", "acme-internal"),
        "attachments": [attachment(slug, "acme-internal", "DATABASE", fixed("2025-09-09 12:30:00"))],
        "config_vars": ["DATABASE_URL"], "created_at": fixed("2025-09-09 12:30:00"), "id": uid("addon", slug),
        "name": "postgresql-horizontal-30954", "plan": "heroku-postgresql:advanced-private", "price_cents": 0,
        "provider_id": "resource30954611@heroku.com",
        "provision_message": "Database has been created and is available",
        "state": "provisioned", "updated_at": fixed("2025-09-09 13:02:00"),
        "data": {
            "kind": "advanced", "cluster_id": uid("pg-cluster", slug), "connection_limit": 400,
            "connections_used": [0, 52, 57, 49, 61, 55, 58][day],
            "created_at": iso(dt.datetime(2025, 9, 9, 12, 30, 4, tzinfo=UTC)), "credentials": 2, "highly_available": True,
            "num_tables": 212 if day < 4 else 214,
            "pools": [{
                "compute_instances": [
                    {"id": uid("compute", slug, 0), "level": "4G-Performance", "name": "leader-0", "role": "leader",
                     "status": "up", "updated_at": fixed("2025-09-09 12:58:00")},
                    {"id": uid("compute", slug, 1), "level": "4G-Performance", "name": "leader-1", "role": "standby",
                     "status": "up", "updated_at": fixed("2025-09-09 12:58:30")},
                ],
                "connections_used": [0, 52, 57, 49, 61, 55, 58][day],
                "endpoints": [{"host": "pg-horizontal-30954.leader.%s.postgres.herokuspace.internal" % hexdigest("space-dns", slug, length=10),
                               "port": 5432, "status": "available"}],
                "expected_connection_limit": 400, "expected_count": 2, "expected_level": "4G-Performance",
                "id": pool_id, "name": "leader", "status": "available",
                "wait_status": {"message": None, "waiting": False},
            }],
            "region": "virginia", "storage_gb": round(41.2 + 0.3 * day, 1), "storage_limit_gb": 128000,
            "table_limit": 4000, "version": "17.4",
        },
    }


def redis(day):
    slug = "redis-db"
    plan = redis_plan(day)
    return {
        "actions": [], "app_id": uid("app", "acme-api"),
        "attachments": [attachment(slug, "acme-api", "REDIS", fixed("2023-03-03 12:00:00")),
                        attachment(slug, "acme-worker", "REDIS", fixed("2023-03-03 12:05:00"))],
        "config_vars": ["REDIS_URL"], "created_at": fixed("2023-03-03 12:00:00"), "id": uid("addon", slug),
        "name": "redis-rectangular-77201", "plan": plan, "price_cents": 3000 if day >= 3 else 1500,
        "provider_id": "resource77201455@heroku.com", "provision_message": "Redis is available",
        "state": "provisioned", "updated_at": at(2, 13, 2, 9) if day >= 3 else fixed("2025-02-02 02:02:02"),
        "data": {
            "kind": "redis", "created_at": data_api_created(dt.datetime(2023, 3, 3, 12, 0, 12, 4000, tzinfo=UTC)),
            "created_display": "2023-03-03 12:00", "formation_id": uid("redis-formation", slug),
            "maintenance_window": "Thursdays 04:00 to Thursdays 08:00 UTC", "maxmemory_policy": "volatile-lru",
            "metaas_source": "dod-redis://metaas:%s@%s:23419/" % (SECRET_REDIS_METAAS_PASSWORD, REDIS_HOST),
            "notify_keyspace_events": "", "plan_short": plan.split(":", 1)[1], "port": 23419,
            "primary_id": uid("redis-primary", slug),
            "resource_url": "rediss://:%s@%s:23419" % (SECRET_REDIS_PASSWORD, REDIS_HOST),
            "timeout": 300, "version": "7.2.4",
        },
    }


def papertrail(day):
    return {
        "actions": [{"action": "dashboard", "id": uid("addon-action", "papertrail-dashboard"), "label": "Dashboard",
                     "requires_owner": None, "url": None}],
        "app_id": uid("app", "acme-api"),
        "attachments": [attachment("papertrail", "acme-api", "PAPERTRAIL", fixed("2022-01-19 10:32:00"))],
        "config_vars": ["PAPERTRAIL_API_TOKEN"], "created_at": fixed("2022-01-19 10:32:00"),
        "id": uid("addon", "papertrail"), "name": "papertrail-aerodynamic-19344", "plan": "papertrail:fixa",
        "price_cents": 700, "provider_id": "299518604", "provision_message": "Papertrail is ready.",
        "state": "provisioned", "updated_at": fixed("2024-04-06 17:07:34"), "data": None,
    }


def scheduler(day):
    return {
        "actions": [], "app_id": uid("app", "acme-worker"),
        "attachments": [attachment("scheduler", "acme-worker", "SCHEDULER", fixed("2021-05-05 08:00:00"))],
        "config_vars": [], "created_at": fixed("2021-05-05 08:00:00"), "id": uid("addon", "scheduler"),
        "name": "scheduler-clear-28411", "plan": "scheduler:standard", "price_cents": 0, "provider_id": "624115",
        "provision_message": "Scheduler is ready.", "state": "provisioned",
        "updated_at": fixed("2021-05-05 08:00:00"), "data": None,
    }


def provisioning_postgres(day):
    """Return the standard-0 database that stays in state provisioning until day 6."""
    slug = "analytics-db"
    provisioned = day >= 6  # day 5 -> 6: provisioning finishes
    return {
        "actions": PG_ACTIONS if provisioned else [], "app_id": uid("app", "acme-analytics"),
        "attachments": [attachment(slug, "acme-analytics", "HEROKU_POSTGRESQL_TEAL", fixed("2026-03-25 05:41:00"))],
        "config_vars": ["HEROKU_POSTGRESQL_TEAL_URL"] if provisioned else [],
        "created_at": fixed("2026-03-25 05:41:00"), "id": uid("addon", slug), "name": "postgresql-tapered-62018",
        "plan": "heroku-postgresql:standard-0", "price_cents": 5000, "provider_id": "resource62018377@heroku.com",
        "provision_message": ("Database has been created and is available" if provisioned else
                              "The database should be available in 3-5 minutes.\nUse `heroku pg:wait` to track status."),
        "state": "provisioned" if provisioned else "provisioning",
        "updated_at": at(5, 14, 58, 20) if provisioned else fixed("2026-03-25 05:41:00"),
        "data": {
            "kind": "dedicated", "connection_limit": 120,
            "created_at": data_api_created(dt.datetime(2026, 3, 25, 5, 41, 9, 88000, tzinfo=UTC)),
            "created_display": "2026-03-25 05:41", "credentials": 1, "current_transaction": 771,
            "database_name": "d1m2n3b4v5c6x7", "database_password": SECRET_PROVISIONED_PASSWORD,
            "database_user": "u7h6g5f4d3s2a1", "formation_id": uid("pg-formation", slug), "ha_status": "Unavailable",
            "maintenance_window": "Wednesdays 03:00 to Wednesdays 07:00 UTC",
            "metaas_server_source": "dod-postgres-server://metaas:%s@ec2-52-31-77-12.eu-west-1.compute.amazonaws.com:5433/metaas" % SECRET_TEAL_METAAS_SERVER_PASSWORD,
            "metaas_source": "dod-postgres://metaas:%s@ec2-52-31-77-12.eu-west-1.compute.amazonaws.com:5432/d1m2n3b4v5c6x7" % SECRET_TEAL_METAAS_PASSWORD,
            "num_bytes": 8707887, "num_connections": 2, "num_tables": 0, "plan_display": "Standard 0",
            "plan_object": {
                "attrs_unparsed": {"capacity_bytes": "68719476736", "hard_connlimit": "200", "maintenance_work_mem": "128MB",
                                   "soft_connlimit": "120", "work_mem": "32MB"},
                "bit_depth": 64, "created_at": "2016-04-04T20:54:02.919+00:00", "default_disk_iops": 204,
                "default_disk_size": 68, "id": 170, "instance_type": "t2.medium", "name": "standard-0",
                "service_slug": "heroku-postgresql", "slack_quantity": 5, "slots": "32.0", "status": "production",
                "tier": "standard", "virt_type": "hvm",
            },
            "postgres_version": "16.3", "primary_id": uid("pg-primary", slug), "region": "eu",
            "resource_url": "postgres://u7h6g5f4d3s2a1:%s@ec2-52-31-77-12.eu-west-1.compute.amazonaws.com:5432/d1m2n3b4v5c6x7" % SECRET_PROVISIONED_PASSWORD,
            "schedules": [],
        },
    }


def build_addons(day):
    return [premium_postgres(day), essential_postgres(day), advanced_postgres(day), redis(day), papertrail(day),
            scheduler(day), provisioning_postgres(day)]


def backup_signature(num):
    return "sig%s" % hexdigest("backup-signature", num, length=24)


def transfer(app_slug, num, db_url, addon_slug, created, scheduled, size):
    """Return one pg:backups transfer. from_url/to_url are the database URL and a signed storage URL."""
    start = dt.datetime.strptime(created, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    to_uuid = uid("backup", app_slug, num)
    body = {
        "canceled_at": None, "created_at": data_api_time(start), "deleted_at": None,
        "finished_at": data_api_time(start + dt.timedelta(minutes=3, seconds=20)),
        "from_name": "DATABASE", "from_type": "pg_dump", "from_url": db_url, "from_uuid": uid("addon", addon_slug),
        "num": num, "num_keep": 25, "options": {}, "processed_bytes": size // 9, "purged_at": None,
        "source_bytes": size, "started_at": data_api_time(start + dt.timedelta(seconds=41)), "succeeded": True,
        "to_name": "SCHEDULED BACKUP" if scheduled else "BACKUP", "to_type": "gof3r",
        "to_url": "https://xfrtu.s3.amazonaws.com/%s/%s/%s?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=%s"
                  % (uid("xfrtu-bucket", app_slug), start.strftime("%Y-%m-%dT%H:%M:%SZ"), to_uuid, backup_signature(num)),
        "to_uuid": to_uuid,
        "updated_at": data_api_time(start + dt.timedelta(minutes=3, seconds=24)), "warnings": 0,
    }
    if scheduled:
        body["schedule"] = {"uuid": uid("schedule", addon_slug)}
    return body


def build_transfers():
    """Return the backup lists. They are the same every day so that day 3 -> 4 stays free of real changes."""
    premium_url = premium_postgres(1)["data"]["resource_url"]
    essential_url = essential_postgres(1)["data"]["resource_url"]
    api = [
        transfer("acme-api", 201, premium_url, "premium-db", "2026-03-17 18:44:02", False, 5990000000),
        transfer("acme-api", 202, premium_url, "premium-db", "2026-03-22 02:00:14", True, 6050000000),
        transfer("acme-api", 203, premium_url, "premium-db", "2026-03-23 02:00:12", True, 6071000000),
        transfer("acme-api", 204, premium_url, "premium-db", "2026-03-24 02:00:15", True, 6099000000),
    ]
    web = [
        transfer("acme-web", 31, essential_url, "essential-db", "2026-03-23 07:00:09", True, 14600000),
        transfer("acme-web", 32, essential_url, "essential-db", "2026-03-24 07:00:11", True, 14780000),
    ]
    return {uid("app", "acme-api"): api, uid("app", "acme-web"): web, uid("app", "acme-analytics"): []}


def build_pipelines():
    return [{
        "couplings": [
            {"app_id": uid("app", "acme-api-staging"), "created_at": fixed("2021-02-12 10:30:00"),
             "id": uid("coupling", "acme-api-staging"), "stage": "staging", "updated_at": fixed("2021-02-12 10:30:00")},
            {"app_id": uid("app", "acme-api"), "created_at": fixed("2021-02-12 10:31:00"),
             "id": uid("coupling", "acme-api"), "stage": "production", "updated_at": fixed("2021-02-12 10:31:00")},
        ],
        "created_at": fixed("2021-02-12 10:29:00"), "id": uid("pipeline", "acme-api"), "name": "acme-api",
        "owner_team_id": uid("team", "acme"), "updated_at": fixed("2024-10-10 10:10:10"),
    }]


def build_model(day):
    return {
        "account": {
            "created_at": fixed("2019-04-02 15:18:55"), "default_team_id": uid("team", "acme"),
            "email": "compliance@acme.example", "federated": False, "id": user_id("compliance"),
            "last_login": iso(capture_time(day) - dt.timedelta(minutes=2)), "name": "Acme Compliance",
            "sms_number": "+1 ***-***-0142", "two_factor": True, "updated_at": iso(capture_time(day) - dt.timedelta(minutes=2)),
        },
        "account_features": [],
        "addons": build_addons(day),
        "apps": build_apps(day),
        "pipelines": build_pipelines(),
        "regions": build_regions(),
        "spaces": build_spaces(day),
        "stacks": build_stacks(),
        "teams": build_teams(day),
        "transfers": build_transfers(),
        "users": build_users(day),
    }


def secrets():
    """Return the planted secret strings, one per line of secrets.txt."""
    values = [
        API_TOKEN, SECRET_DRAIN_PASSWORD, SECRET_DRAIN_TOKEN, SECRET_WORKER_DRAIN_TOKEN, SECRET_WEBHOOK_PASSWORD,
        SECRET_PG_PASSWORD, SECRET_METAAS_PASSWORD, SECRET_METAAS_SERVER_PASSWORD, SECRET_ESSENTIAL_PASSWORD,
        SECRET_REDIS_PASSWORD, SECRET_REDIS_METAAS_PASSWORD, SECRET_RELEASE_TOKEN, SECRET_COMMAND_PASSWORD,
        SECRET_PROVISIONED_PASSWORD, SECRET_TEAL_METAAS_PASSWORD, SECRET_TEAL_METAAS_SERVER_PASSWORD,
    ]
    values += [backup_signature(num) for num in (201, 202, 203, 204, 31, 32)]
    return values


# ----- README ----------------------------------------------------------------

README_HEAD = """# Sample account: acme (six fixture days)

Generated by `python3 Fixtures/make_sample.py`; do not edit by hand. The fake API
(`Fixtures/fake_heroku.py --data Fixtures/sample --day N`) serves folder `day-N/`.
Day N is the state captured at 06:00 UTC on 2026-03-(24+N), so day 1 is 2026-03-25.

- `token`: the API token the fake accepts by default ({token}).
- `secrets.txt`: every planted secret, one per line. Docket's store must contain none of them.
- `day-N/<path>.json`: the body of `GET <path>` on that day. `day-N/_status.json`
  lists paths that answer with another status (the data API 404s of the add-on that is
  still provisioning), keyed by path.

## The account

Account `compliance@acme.example` (two-factor on), default team `acme`.

Teams (`GET /teams/<team>/members`):

| team | member | role | two_factor_authentication | notes |
| --- | --- | --- | --- | --- |
| acme | compliance@acme.example | admin | true | |
| acme | alice@acme.example | admin | true | |
| acme | bob@acme.example | member | false, true from day 2 | |
| acme | carol@acme.example | member | true | removed on day 5 |
| acme | dave@contractor.example | collaborator | false | |
| acme | jdoe@acme.example | member | true | |
| acme-data | compliance@acme.example | admin | true | |
| acme-data | frank@acme.example | admin | true | |
| acme-data | grace@acme.example | member | true | |
| acme-data | erin@acme.example | member | false | federated (identity provider acme-sso) |
| acme-data | henry@partner.example | collaborator | false | |

Private space `acme-private` (team acme, region virginia, shield false). Its inbound
ruleset allows 203.0.113.0/24 and 198.51.100.10/32 on every day, and 0.0.0.0/0 on day 1
only (replaced by 192.0.2.64/26 on day 2, with a new ruleset id).

Regions: us, eu, virginia, oregon, frankfurt, dublin, tokyo, sydney. Stacks: heroku-20
(state deprecated), heroku-22, heroku-24 (default).

Pipeline `acme-api`: acme-api-staging (staging) and acme-api (production).

{apps_table}

{addons_table}

Data API files: `/client/v11/databases/<addon-id>` and `.../transfer-schedules` for the
premium-0, essential-0 and (from day 6) standard-0 databases; `/data/postgres/v1/<addon-id>/info`
for the Advanced database; `/redis/v0/databases/<addon-id>` and `.../config` for Redis;
`/client/v11/apps/<app-id>/transfers` for acme-api and acme-web (4 and 2 backups, the same on
every day) and acme-analytics (empty). On days 1-5 the provisioning standard-0 database
responds to `GET /client/v11/databases/<id>` with 404 and the HTML body `<h1>Not Found</h1>`
(content type application/json), and to `.../transfer-schedules` with a JSON 404.

## Planted secrets

| where | field |
| --- | --- |
| acme-api log drain | `url` userinfo password and `token` query parameter |
| acme-worker log drain (days 1-4) | `url` `token` query parameter |
| acme-api webhook | `url` userinfo password |
| premium-0 database | `resource_url`, `database_password` (same password), `metaas_source`, `metaas_server_source` |
| essential-0 database | `resource_url` |
| standard-0 database (day 6) | `resource_url`, `database_password`, `metaas_source`, `metaas_server_source` |
| Redis | `resource_url`, `metaas_source` |
| backups of acme-api and acme-web | `from_url` (database URL) and `to_url` (`X-Amz-Signature`) |
| jdoe-sandbox release v15 | `description` contains an `HRKU-` token |
| acme-worker formation `worker` | `command` contains a `postgres://user:password@` URL |
| the API token | `Authorization` header value |

## Planted changes

| transition | change | old | new |
| --- | --- | --- | --- |
| day 1 -> 2 | app created | (none) | acme-docs (team acme) |
| day 1 -> 2 | team member enables 2FA | acme / bob@acme.example two_factor_authentication false | true |
| day 1 -> 2 | custom domain added | acme-web domains: heroku, www.acme.example | + shop.acme.example (kind custom, same SNI endpoint) |
| day 1 -> 2 | space inbound rule replaced | acme-private rules include 0.0.0.0/0 allow | 192.0.2.64/26 allow instead |
| day 1 -> 2 | deploys | acme-api release v120, acme-api-staging v301 | v121, v302 |
| day 2 -> 3 | app renamed (same id) | acme-web | acme-storefront (git_url, web_url and the heroku domain follow) |
| day 2 -> 3 | add-on plan upgraded | redis-rectangular-77201 heroku-redis:premium-0 | heroku-redis:premium-1 (billed 1500 -> 3000 cents, data API plan premium-0 -> premium-1) |
| day 2 -> 3 | collaborator added | acme-api: compliance, alice, bob | + dave@contractor.example (collaborator, view/deploy) |
| day 3 -> 4 | volatile fields only | see the full list below | |
| day 3 -> 4 | array reordered | acme-api collaborator alice permissions view, deploy, operate, manage | manage, view, operate, deploy |
| day 4 -> 5 | Postgres major version upgrade | postgresql-cubic-41207 PG Version / postgres_version 15.7 | 16.3 |
| day 4 -> 5 | team member removed | acme has carol@acme.example | carol removed (also from acme-worker collaborators) |
| day 4 -> 5 | log drain removed | acme-worker drain syslog+tls://logs.example.net:6514 | none |
| day 4 -> 5 | app deleted | acme-legacy (team acme-data) | gone: every /apps/<id>/... path answers 404 |
| day 4 -> 5 | deploy | acme-api release v121 | v122 |
| day 5 -> 6 | certificate renewed | acme-storefront endpoint stegosaurus-48213: starts 2025-04-07, expires 2026-04-07T23:59:59Z | starts 2026-03-29, expires 2027-04-06T23:59:59Z, new ssl_cert id and certificate_chain |
| day 5 -> 6 | add-on provisioned | postgresql-tapered-62018 state provisioning, data API 404 | state provisioned, config_vars HEROKU_POSTGRESQL_TEAL_URL, data API info and schedules answer 200 |

Volatile fields drift every day: the account's `last_login`/`updated_at`, acme-api's and
acme-web's `updated_at`, database `num_bytes`, `num_connections`, `current_transaction`,
the Data Size and Connections info rows, Advanced `connections_used`/`storage_gb`, and the
backup schedules' `updated_at`. Day 4 also moves `released_at`, `slug_size`, `repo_size`,
the Tables rows and two labs feature descriptions, with no configuration change.

`CHANGES.md` lists every difference between consecutive days, field by field, generated by
comparing the files of each day with the day before.
"""

CHANGES_HEAD = """# Every difference between consecutive sample days

Generated by `python3 Fixtures/make_sample.py` from the day folders; do not edit by hand.
Lines name the request path, the list item (label and id) and the field, with old and new values.
"""


def apps_table(model):
    lines = ["Apps on day 1 (ids never change; acme-docs exists from day 2, acme-legacy until day 4):", "",
             "| app | id | team | region | stack | notes |", "| --- | --- | --- | --- | --- | --- |"]
    teams = {t["id"]: t["name"] for t in model["teams"]}
    apps = build_apps(1) + [acme_docs(2)]
    notes = {
        "acme-api": "pipeline production; ACM domain api.acme.example; drains; webhook",
        "acme-web": "renamed acme-storefront on day 3; custom domains www (and shop from day 2), SNI certificate",
        "acme-worker": "deprecated stack heroku-20; syslog drain until day 4",
        "acme-api-staging": "pipeline staging",
        "acme-internal": "space acme-private, internal_routing true",
        "acme-analytics": "standard-0 database provisioning until day 6",
        "acme-legacy": "maintenance on; deleted on day 5",
        "jdoe-sandbox": "personal app of jdoe@acme.example; compliance is a collaborator",
        "acme-docs": "created on day 2",
    }
    for app in apps:
        lines.append("| %s | %s | %s | %s | %s | %s |" % (
            app["name"], app["id"], teams.get(app["team_id"], "(personal)"), app["region"], app["stack"],
            notes.get(app["slug"], "")))
    return "\n".join(lines)


def addons_table(model):
    apps = {a["id"]: a["name"] for a in build_apps(1) + [acme_docs(2)]}
    lines = ["Add-ons (`GET /addons`):", "", "| add-on | id | plan | app | data API |", "| --- | --- | --- | --- | --- |"]
    kinds = {"dedicated": "`/client/v11/databases/<id>` (plan object)", "tenant": "`/client/v11/databases/<id>` (plan string)",
             "advanced": "`/data/postgres/v1/<id>/info`", "redis": "`/redis/v0/databases/<id>`"}
    for addon in model["addons"]:
        kind = kinds.get((addon.get("data") or {}).get("kind"), "none")
        if addon["state"] == "provisioning":
            kind += ", 404 until day 6"
        plan = addon["plan"] + (" (premium-1 from day 3)" if addon["plan"].startswith("heroku-redis") else "")
        lines.append("| %s | %s | %s | %s | %s |" % (addon["name"], addon["id"], plan, apps[addon["app_id"]], kind))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description="Generate the six-day sample Heroku account.")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "sample"),
                        help="output folder (default: Fixtures/sample)")
    args = parser.parse_args()

    days = {}
    for day in range(1, DAYS + 1):
        files, statuses = render(build_model(day))
        days[day] = (files, statuses)

    for day in range(1, DAYS + 1):
        folder = os.path.join(args.out, "day-%d" % day)
        if os.path.isdir(folder):
            shutil.rmtree(folder)
        write_day(folder, *days[day])

    with open(os.path.join(args.out, "token"), "w", encoding="utf-8") as handle:
        handle.write(API_TOKEN + "\n")
    with open(os.path.join(args.out, "secrets.txt"), "w", encoding="utf-8") as handle:
        handle.write("\n".join(secrets()) + "\n")

    model = build_model(1)
    readme = README_HEAD.replace("{token}", "`%s`" % API_TOKEN)
    readme = readme.replace("{apps_table}", apps_table(model)).replace("{addons_table}", addons_table(model))
    with open(os.path.join(args.out, "README.md"), "w", encoding="utf-8") as handle:
        handle.write(readme)

    changes = CHANGES_HEAD
    for day in range(2, DAYS + 1):
        old_files, old_statuses = days[day - 1]
        new_files, new_statuses = days[day]
        lines = describe(old_files, new_files)
        lines += ["status override " + line for line in describe(
            {"/_status": old_statuses}, {"/_status": new_statuses})]
        changes += "\n## Day %d -> %d\n\n" % (day - 1, day)
        changes += "\n".join("- " + line for line in lines) + "\n"
    with open(os.path.join(args.out, "CHANGES.md"), "w", encoding="utf-8") as handle:
        handle.write(changes)

    total = sum(len(files) for files, _ in days.values())
    print("wrote %d days, %d files, to %s" % (DAYS, total, args.out))


if __name__ == "__main__":
    main()
