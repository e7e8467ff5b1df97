"""The fewest API requests that read Docket's catalogue of a fixture day.

Every listing Docket reads costs one request per page of at most 1,000 items, Heroku's
largest page (a listing with no items still costs one request). Single documents cost one
request each. The listings are those of Sources/DocketKit/Heroku/CatalogueWalk*.swift:

- account-wide: /account, /apps, /teams, /addons, /spaces, /pipelines, /regions, /stacks,
  /addon-attachments, /pipeline-couplings;
- per team: members and apps;
- per app (the union of /apps and the teams' apps): collaborators, domains, formation,
  sni-endpoints, log-drains, features, webhooks and buildpack-installations, plus one
  request for the latest release;
- per space: its inbound ruleset;
- per Postgres add-on: its data API record, plus its backup schedules when the record
  exists (Essential, Standard, Premium, Private);
- per app with such an add-on: its transfers;
- per Redis add-on: its record, plus its configuration when the record exists.
"""

import math

PAGE_SIZE = 1000
ACCOUNT_LISTS = ["/apps", "/teams", "/addons", "/spaces", "/pipelines", "/regions", "/stacks", "/addon-attachments",
                 "/pipeline-couplings"]
APP_LISTS = ["collaborators", "domains", "formation", "sni-endpoints", "log-drains", "features", "webhooks",
             "buildpack-installations"]


def pages(items):
    return max(1, math.ceil(len(items) / PAGE_SIZE))


def answers(files, statuses, path):
    """Return True when the fixture day returns 200 and a body for `path`."""
    override = statuses.get(path)
    if override is not None:
        return override.get("status") == 200
    return path in files


def database_tier(addon):
    """Mirror CatalogueWalk.tier(of:): legacy Postgres, Advanced Postgres, Redis or None."""
    service = (addon.get("addon_service") or {}).get("name")
    plan = (addon.get("plan") or {}).get("name") or ""
    if service == "heroku-postgresql" or plan.startswith("heroku-postgresql:"):
        plan_part = plan.split(":")[-1]
        return "advanced" if plan_part.startswith(("advanced", "performance")) else "legacy"
    if service == "heroku-redis" or plan.startswith("heroku-redis:"):
        return "redis"
    return None


def minimum_requests(files, statuses):
    """Return (total, {listing group: requests}) for one fixture day."""
    groups = {"account-wide": 1}  # /account
    for path in ACCOUNT_LISTS:
        groups["account-wide"] += pages(files.get(path, []))

    app_ids = {app["id"] for app in files.get("/apps", [])}
    groups["per team"] = 0
    for team in files.get("/teams", []):
        groups["per team"] += pages(files.get("/teams/%s/members" % team["id"], []))
        team_apps = files.get("/teams/%s/apps" % team["id"], [])
        groups["per team"] += pages(team_apps)
        app_ids.update(app["id"] for app in team_apps)

    groups["per app"] = 0
    for app_id in app_ids:
        for suffix in APP_LISTS:
            groups["per app"] += pages(files.get("/apps/%s/%s" % (app_id, suffix), []))
        groups["per app"] += 1  # the latest release: Range max=1, order=desc

    groups["per space"] = len(files.get("/spaces", []))

    groups["per database"] = 0
    backup_apps = set()
    for addon in files.get("/addons", []):
        tier = database_tier(addon)
        addon_id = addon["id"]
        if tier == "legacy":
            groups["per database"] += 1
            if answers(files, statuses, "/client/v11/databases/%s" % addon_id):
                groups["per database"] += 1  # transfer schedules
            backup_apps.add((addon.get("app") or {}).get("id"))
        elif tier == "advanced":
            groups["per database"] += 1
        elif tier == "redis":
            groups["per database"] += 1
            if answers(files, statuses, "/redis/v0/databases/%s" % addon_id):
                groups["per database"] += 1  # configuration
    groups["per database"] += len(backup_apps - {None})
    return sum(groups.values()), groups


def main(argv):
    """Print {day: {"total": N, "groups": {...}}} for a synthetic account folder and days."""
    import json
    import os
    import sys

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Fixtures"))
    from fake_heroku import SyntheticDays

    folder, days = argv[0], [int(day) for day in argv[1:]]
    synthetic = SyntheticDays(folder)
    result = {}
    for day in sorted(days):
        state = synthetic.state(day)
        total, groups = minimum_requests(state.files, state.statuses)
        result[str(day)] = {"total": total, "groups": groups}
    print(json.dumps(result))


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
