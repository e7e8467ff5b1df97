"""Render an account model into Heroku API bodies keyed by request path.

The model is a plain dict built by make_sample.py or make_synthetic.py. Records refer to
each other by id (an add-on has `app_id`, a team member has `user_id`), and rendering
fills in the nested `{"id", "name"}` references, so renaming an app updates every body
that names it. Field names and nesting follow the Platform API hyper-schema
(`definitions.<resource>.definitions.<field>`) and, for the data API, the response
shapes of api.data.heroku.com as recorded by the Heroku CLI and its test fixtures.

Model keys:
    account          {id, email, name, created_at, updated_at, last_login, two_factor,
                      federated, default_team_id}
    account_features [feature body without app reference]
    users            {user_id: {id, email, name, federated, two_factor}}
    regions          [{name, description, country, locale, private_capable,
                       provider_region, created_at, updated_at}]
    stacks           [{name, state, default, created_at, updated_at}]
    teams            [{id, name, ..., members: [{id, user_id, role, created_at, updated_at}]}]
    spaces           [{id, name, team_id, region, ..., ruleset: {...}, nat: {...}}]
    apps             [app record, see render_app]
    addons           [add-on record, see render_addon]
    pipelines        [{id, name, owner_team_id, ..., couplings: [{id, app_id, stage, ...}]}]
    transfers        {app_id: [transfer body]}
"""

from .common import uid

GENERATION_CEDAR = {"id": uid("generation", "cedar"), "name": "cedar"}

PERMISSION_DESCRIPTIONS = {
    "view": "Can view the app's metrics, activity, resources, add-ons and settings.",
    "deploy": "Can deploy, manage config vars, run commands and restart the app.",
    "operate": "Can scale and restart dynos, view logs and release history.",
    "manage": "Can manage app-level settings: add-ons, domains, certificates, collaborators and deletion.",
}

def ref(record):
    return {"id": record["id"], "name": record["name"]}


def region_ref(name):
    return {"id": uid("region", name), "name": name}


def stack_ref(name):
    return {"id": uid("stack", name), "name": name}


def pretty_bytes(count):
    """Format a byte count as the data API info rows do ("5.72 GB", "14.2 MB")."""
    gigabyte = 1024 ** 3
    megabyte = 1024 ** 2
    if count >= gigabyte:
        return "%.2f GB" % (count / gigabyte)
    if count >= megabyte:
        return "%.1f MB" % (count / megabyte)
    return "%d kB" % max(1, count // 1024)


class Renderer:
    """Build every API body for one model. Call files() for the {path: body} map."""

    def __init__(self, model):
        self.model = model
        self.apps = {app["id"]: app for app in model["apps"]}
        self.teams = {team["id"]: team for team in model["teams"]}
        self.spaces = {space["id"]: space for space in model["spaces"]}
        self.addons = {addon["id"]: addon for addon in model["addons"]}
        self.users = model["users"]
        self.out = {}
        self.statuses = {}

    # ----- shared references -------------------------------------------------

    def app_ref(self, app_id):
        return ref(self.apps[app_id])

    def user(self, user_id):
        return self.users[user_id]

    def heroku_hostname(self, app):
        return "%s-%s.herokuapp.com" % (app["name"], app["web_suffix"])

    # ----- account, regions, stacks ------------------------------------------

    def render_account(self):
        account = self.model["account"]
        default_team = self.teams.get(account.get("default_team_id"))
        team_ref = {"id": default_team["id"], "name": default_team["name"]} if default_team else None
        return {
            "allow_tracking": False,
            "beta": False,
            "country_of_residence": "United States",
            "created_at": account["created_at"],
            "default_organization": team_ref,
            "default_team": team_ref,
            "delinquent_at": None,
            "email": account["email"],
            "federated": account["federated"],
            "id": account["id"],
            "identity_provider": None,
            "last_login": account["last_login"],
            "name": account["name"],
            "sms_number": account.get("sms_number"),
            "suspended_at": None,
            "two_factor_authentication": account["two_factor"],
            "updated_at": account["updated_at"],
            "verified": True,
        }

    def render_region(self, region):
        return {
            "country": region["country"],
            "created_at": region["created_at"],
            "description": region["description"],
            "id": uid("region", region["name"]),
            "locale": region["locale"],
            "name": region["name"],
            "private_capable": region["private_capable"],
            "provider": {"name": "amazon-web-services", "region": region["provider_region"]},
            "updated_at": region["updated_at"],
        }

    def render_stack(self, stack):
        return {
            "created_at": stack["created_at"],
            "default": stack["default"],
            "id": uid("stack", stack["name"]),
            "name": stack["name"],
            "state": stack["state"],
            "updated_at": stack["updated_at"],
        }

    # ----- teams -------------------------------------------------------------

    def render_team(self, team):
        return {
            "created_at": team["created_at"],
            "credit_card_collections": team.get("credit_card_collections", True),
            "default": team.get("default", False),
            "enterprise_account": team.get("enterprise_account"),
            "id": team["id"],
            "identity_provider": team.get("identity_provider"),
            "membership_limit": team.get("membership_limit"),
            "name": team["name"],
            "provisioned_licenses": team.get("provisioned_licenses", False),
            "role": team["role"],
            "type": team.get("type", "team"),
            "updated_at": team["updated_at"],
        }

    def render_member(self, team, member):
        user = self.user(member["user_id"])
        identity_provider = None
        if user["federated"] and team.get("identity_provider"):
            provider = team["identity_provider"]
            identity_provider = {
                "id": provider["id"],
                "name": provider["name"],
                "owner": provider["owner"],
                "redacted": False,
            }
        return {
            "created_at": member["created_at"],
            "email": user["email"],
            "federated": user["federated"],
            "id": member["id"],
            "identity_provider": identity_provider,
            "role": member["role"],
            "two_factor_authentication": user["two_factor"],
            "updated_at": member["updated_at"],
            "user": {"email": user["email"], "id": user["id"], "name": user["name"]},
        }

    # ----- spaces ------------------------------------------------------------

    def render_space(self, space):
        team = self.teams[space["team_id"]]
        return {
            "cidr": space["cidr"],
            "created_at": space["created_at"],
            "data_cidr": space["data_cidr"],
            "generation": GENERATION_CEDAR,
            "id": space["id"],
            "name": space["name"],
            "organization": {"name": team["name"]},
            "region": region_ref(space["region"]),
            "shield": space["shield"],
            "state": space["state"],
            "team": ref(team),
            "updated_at": space["updated_at"],
        }

    def render_ruleset(self, space):
        ruleset = space["ruleset"]
        return {
            "created_at": ruleset["created_at"],
            "created_by": ruleset["created_by"],
            "id": ruleset["id"],
            "rules": [dict(rule) for rule in ruleset["rules"]],
            "space": ref(space),
        }

    # ----- apps --------------------------------------------------------------

    def render_app(self, app):
        """Render the `app` resource shape (GET /apps, /apps/{app})."""
        team = self.teams.get(app["team_id"])
        space = self.spaces.get(app["space_id"])
        owner = self.user(app["owner_id"])
        team_ref = ref(team) if team else None
        return {
            "acm": app["acm"],
            "archived_at": app.get("archived_at"),
            "build_stack": stack_ref(app["build_stack"]),
            "buildpack_provided_description": app["buildpack_provided_description"],
            "created_at": app["created_at"],
            "generation": GENERATION_CEDAR,
            "git_url": "https://git.heroku.com/%s.git" % app["name"],
            "id": app["id"],
            "internal_routing": app["internal_routing"] if space else None,
            "maintenance": app["maintenance"],
            "name": app["name"],
            "organization": team_ref,
            "owner": {"email": owner["email"], "id": owner["id"]},
            "region": region_ref(app["region"]),
            "released_at": app["released_at"],
            "repo_size": app["repo_size"],
            "slug_size": app["slug_size"],
            "space": {"id": space["id"], "name": space["name"], "shield": space["shield"]} if space else None,
            "stack": stack_ref(app["stack"]),
            "team": team_ref,
            "updated_at": app["updated_at"],
            "web_url": "https://%s/" % self.heroku_hostname(app),
        }

    def render_team_app(self, app):
        """Render the `team-app` resource shape (GET /teams/{team}/apps)."""
        team = self.teams[app["team_id"]]
        space = self.spaces.get(app["space_id"])
        owner = self.user(app["owner_id"])
        account_id = self.model["account"]["id"]
        joined = any(c["user_id"] == account_id for c in app["collaborators"])
        return {
            "archived_at": app.get("archived_at"),
            "build_stack": stack_ref(app["build_stack"]),
            "buildpack_provided_description": app["buildpack_provided_description"],
            "created_at": app["created_at"],
            "git_url": "https://git.heroku.com/%s.git" % app["name"],
            "id": app["id"],
            "internal_routing": app["internal_routing"] if space else None,
            "joined": joined,
            "locked": app.get("locked", False),
            "maintenance": app["maintenance"],
            "name": app["name"],
            "owner": {"email": owner["email"], "id": owner["id"]},
            "region": region_ref(app["region"]),
            "released_at": app["released_at"],
            "repo_size": app["repo_size"],
            "slug_size": app["slug_size"],
            "space": ref(space) if space else None,
            "stack": stack_ref(app["stack"]),
            "team": {"name": team["name"]},
            "updated_at": app["updated_at"],
            "web_url": "https://%s/" % self.heroku_hostname(app),
        }

    def render_collaborator(self, app, collaborator):
        user = self.user(collaborator["user_id"])
        return {
            "app": self.app_ref(app["id"]),
            "created_at": collaborator["created_at"],
            "id": collaborator["id"],
            "permissions": [
                {"description": PERMISSION_DESCRIPTIONS[name], "name": name}
                for name in collaborator["permissions"]
            ],
            "role": collaborator["role"],
            "updated_at": collaborator["updated_at"],
            "user": {"email": user["email"], "federated": user["federated"], "id": user["id"]},
        }

    def render_domain(self, app, domain):
        sni = None
        if domain.get("sni_endpoint_id"):
            endpoint = next(e for e in app["sni_endpoints"] if e["id"] == domain["sni_endpoint_id"])
            sni = {"id": endpoint["id"], "name": endpoint["name"]}
        hostname = domain["hostname"] if domain["kind"] == "custom" else self.heroku_hostname(app)
        return {
            "acm_status": domain.get("acm_status"),
            "acm_status_reason": domain.get("acm_status_reason"),
            "app": self.app_ref(app["id"]),
            "cname": domain.get("cname"),
            "created_at": domain["created_at"],
            "hostname": hostname,
            "id": domain["id"],
            "kind": domain["kind"],
            "sni_endpoint": sni,
            "status": domain["status"],
            "updated_at": domain["updated_at"],
        }

    def render_formation(self, app, process):
        return {
            "app": self.app_ref(app["id"]),
            "command": process["command"],
            "created_at": process["created_at"],
            "dyno_size": {"id": uid("dyno-size", process["size"]), "name": process["size"]},
            "id": process["id"],
            "quantity": process["quantity"],
            "size": process["size"],
            "type": process["type"],
            "updated_at": process["updated_at"],
        }

    def render_sni_endpoint(self, app, endpoint):
        cert = endpoint["cert"]
        return {
            "app": self.app_ref(app["id"]),
            "certificate_chain": endpoint["certificate_chain"],
            "created_at": endpoint["created_at"],
            "display_name": endpoint.get("display_name"),
            "domains": list(endpoint["domain_ids"]),
            "id": endpoint["id"],
            "name": endpoint["name"],
            "ssl_cert": {
                "acm": cert.get("acm", False),
                "ca_signed?": cert["ca_signed"],
                "cert_domains": list(cert["cert_domains"]),
                "expires_at": cert["expires_at"],
                "id": cert["id"],
                "issuer": cert["issuer"],
                "self_signed?": cert["self_signed"],
                "starts_at": cert["starts_at"],
                "subject": cert["subject"],
            },
            "updated_at": endpoint["updated_at"],
        }

    def render_log_drain(self, app, drain):
        addon = None
        if drain.get("addon_id"):
            record = self.addons[drain["addon_id"]]
            addon = {"app": self.app_ref(record["app_id"]), "id": record["id"], "name": record["name"]}
        return {
            "addon": addon,
            "app": self.app_ref(app["id"]),
            "created_at": drain["created_at"],
            "id": drain["id"],
            "token": drain["token"],
            "updated_at": drain["updated_at"],
            "url": drain["url"],
        }

    def render_webhook(self, app, hook):
        return {
            "app": self.app_ref(app["id"]),
            "created_at": hook["created_at"],
            "id": hook["id"],
            "include": list(hook["include"]),
            "level": hook["level"],
            "updated_at": hook["updated_at"],
            "url": hook["url"],
        }

    def render_release(self, app, release):
        user = self.user(release["user_id"])
        return {
            "addon_plan_names": list(release["addon_plan_names"]),
            "app": self.app_ref(app["id"]),
            "artifacts": [{"id": release["slug_id"], "type": "slug"}] if release.get("slug_id") else [],
            "created_at": release["created_at"],
            "current": release["current"],
            "description": release["description"],
            "eligible_for_rollback": release["eligible_for_rollback"],
            "id": release["id"],
            "output_stream_url": None,
            "slug": {"id": release["slug_id"]} if release.get("slug_id") else None,
            "status": release["status"],
            "updated_at": release["updated_at"],
            "user": {"email": user["email"], "id": user["id"]},
            "version": release["version"],
        }

    # ----- add-ons -----------------------------------------------------------

    def billing_entity(self, app):
        team = self.teams.get(app["team_id"])
        if team:
            return {"id": team["id"], "name": team["name"], "type": "team"}
        return {"id": app["id"], "name": app["name"], "type": "app"}

    def render_addon(self, addon):
        app = self.apps[addon["app_id"]]
        service = addon["plan"].split(":", 1)[0]
        return {
            "actions": [dict(action) for action in addon.get("actions", [])],
            "addon_service": {"id": uid("addon-service", service), "name": service},
            "app": self.app_ref(app["id"]),
            "billed_price": {"cents": addon["price_cents"], "contract": False, "unit": "month"},
            "billing_entity": self.billing_entity(app),
            "config_vars": list(addon["config_vars"]),
            "created_at": addon["created_at"],
            "id": addon["id"],
            "name": addon["name"],
            "plan": {"id": uid("plan", addon["plan"]), "name": addon["plan"]},
            "provider_id": addon["provider_id"],
            "provision_message": addon.get("provision_message"),
            "state": addon["state"],
            "updated_at": addon["updated_at"],
            "web_url": "https://addons-sso.heroku.com/apps/%s/addons/%s" % (app["id"], addon["id"]),
        }

    def render_attachment(self, addon, attachment):
        owner_app = self.apps[addon["app_id"]]
        return {
            "addon": {"app": self.app_ref(owner_app["id"]), "id": addon["id"], "name": addon["name"]},
            "app": self.app_ref(attachment["app_id"]),
            "created_at": attachment["created_at"],
            "id": attachment["id"],
            "log_input_url": None,
            "name": attachment["name"],
            "namespace": attachment.get("namespace"),
            "updated_at": attachment["updated_at"],
            "web_url": "https://addons-sso.heroku.com/apps/%s/addons/%s" % (owner_app["id"], addon["id"]),
        }

    # ----- data API ----------------------------------------------------------

    def render_pg_dedicated(self, addon, data):
        limit = data["connection_limit"]
        info = [
            {"name": "Plan", "values": [data["plan_display"]]},
            {"name": "Status", "values": ["Available"]},
            {"name": "HA Status", "values": [data["ha_status"]]},
            {"name": "Data Size", "values": [pretty_bytes(data["num_bytes"])]},
            {"name": "Tables", "values": [data["num_tables"]]},
            {"name": "PG Version", "values": [data["postgres_version"]]},
            {"name": "Connections", "values": ["%d/%d" % (data["num_connections"], limit)]},
            {"name": "Connection Pooling", "values": ["Available"]},
            {"name": "Credentials", "values": [data["credentials"]]},
            {"name": "Fork/Follow", "values": ["Available"]},
            {"name": "Created", "values": [data["created_display"]]},
            {"name": "Region", "values": [data["region"]]},
            {"name": "Data Encryption", "values": ["In Use"]},
            {"name": "Continuous Protection", "values": ["On"]},
            {"name": "Followers", "resolve_db_name": True, "values": []},
            {"name": "Forks", "resolve_db_name": True, "values": []},
            {"name": "Maintenance", "values": ["not required"]},
            {"name": "Maintenance window", "values": [data["maintenance_window"]]},
        ]
        return {
            "addon_id": addon["id"],
            "available_for_ingress": True,
            "created_at": data["created_at"],
            "credentials": data["credentials"],
            "current_transaction": data["current_transaction"],
            "database_name": data["database_name"],
            "database_password": data["database_password"],
            "database_user": data["database_user"],
            "following": None,
            "forked_from": None,
            "formation": {"id": data["formation_id"], "primary": data["primary_id"]},
            "heroku_resource_id": addon["provider_id"],
            "hot_standby?": data["ha_status"] == "Available",
            "info": info,
            "leader": None,
            "metaas_server_source": data["metaas_server_source"],
            "metaas_source": data["metaas_source"],
            "name": addon["name"],
            "num_bytes": data["num_bytes"],
            "num_connections": data["num_connections"],
            "num_connections_waiting": 0,
            "num_tables": data["num_tables"],
            "plan": dict(data["plan_object"]),
            "port": 5432,
            "postgres_version": data["postgres_version"],
            "resource_url": data["resource_url"],
            "standalone?": False,
            "target_transaction": None,
            "waiting?": False,
        }

    def render_pg_tenant(self, addon, data):
        limit_bytes = data["storage_limit_bytes"]
        percent = 100.0 * data["num_bytes"] / limit_bytes
        info = [
            {"name": "Plan", "values": [data["plan_display"]]},
            {"name": "Status", "values": ["Available"]},
            {"name": "Connections", "values": ["%d/%d" % (data["num_connections"], data["connection_limit"])]},
            {"name": "PG Version", "values": [data["postgres_version"]]},
            {"name": "Created", "values": [data["created_display"]]},
            {"name": "Data Size", "values": ["%s / %s (%.2f%%)" % (pretty_bytes(data["num_bytes"]), data["storage_limit_display"], percent)]},
            {"name": "Tables", "values": ["%d/%d" % (data["num_tables"], data["table_limit"])]},
            {"name": "Fork/Follow", "values": ["Unsupported"]},
            {"name": "Rollback", "values": ["Unsupported"]},
            {"name": "Continuous Protection", "values": ["Off"]},
        ]
        return {
            "addon_id": addon["id"],
            "created_at": data["created_at"],
            "database_name": data["database_name"],
            "database_user": data["database_user"],
            "info": info,
            "name": addon["name"],
            "num_bytes": data["num_bytes"],
            "plan": data["plan_short"],
            "resource_url": data["resource_url"],
            "waiting?": False,
        }

    def render_pg_advanced(self, addon, data):
        app = self.apps[addon["app_id"]]
        return {
            "addon": {"id": addon["id"], "name": addon["name"]},
            "app": self.app_ref(app["id"]),
            "created_at": data["created_at"],
            "features": {
                "continuous_protection": {"enabled": True},
                "credentials": {"current_count": data["credentials"], "enabled": True},
                "data_encryption": {"enabled": True},
                "fork": {"enabled": True},
                "highly_available": {"enabled": data["highly_available"]},
                "rollback": {"earliest_time": None, "enabled": True, "latest_time": None},
            },
            "forked_from": None,
            "metrics_sources": {"cluster": data["cluster_id"], "database": None, "leader": None},
            "plan_limits": [
                {"current": data["connections_used"], "limit": data["connection_limit"], "name": "connection-limit"},
                {"current": data["storage_gb"], "limit": data["storage_limit_gb"], "name": "storage-limit-in-gb"},
                {"current": data["num_tables"], "limit": data["table_limit"], "name": "table-limit"},
            ],
            "pools": [dict(pool) for pool in data["pools"]],
            "quotas": [
                {
                    "critical_gb": data.get("critical_gb"),
                    "current_gb": data["storage_gb"],
                    "enforcement_action": "notify",
                    "enforcement_active": False,
                    "type": "storage",
                    "warning_gb": data.get("warning_gb"),
                }
            ],
            "region": data["region"],
            "status": "available",
            "tier": "advanced",
            "version": data["version"],
            "wait_status": {"message": None, "waiting": False},
        }

    def render_redis(self, addon, data):
        return {
            "addon_id": addon["id"],
            "created_at": data["created_at"],
            "customer_encryption_key": None,
            "formation": {"id": data["formation_id"], "primary": data["primary_id"]},
            "info": [
                {"name": "Plan", "values": [data["plan_short"].replace("-", " ").title()]},
                {"name": "Status", "values": ["available"]},
                {"name": "Created", "values": [data["created_display"]]},
                {"name": "Version", "values": [data["version"]]},
                {"name": "Timeout", "values": [data["timeout"]]},
                {"name": "Maxmemory", "values": [data["maxmemory_policy"]]},
                {"name": "Maintenance", "values": ["not required"]},
                {"name": "Maintenance window", "values": [data["maintenance_window"]]},
                {"name": "Persistence", "values": ["AOF"]},
                {"name": "HA Status", "values": ["Available"]},
            ],
            "metaas_source": data["metaas_source"],
            "name": addon["name"],
            "plan": data["plan_short"],
            "port": data["port"],
            "prefer_native_tls": True,
            "resource_url": data["resource_url"],
            "version": data["version"],
        }

    def render_redis_config(self, data):
        policy_values = {
            "allkeys-lfu": "Evict any key using approximated LFU when memory is full.",
            "allkeys-lru": "Evict keys trying to remove the less recently used keys first.",
            "allkeys-random": "Evict random keys when memory is full.",
            "noeviction": "Return errors when memory limit is reached.",
            "volatile-lfu": "Evict using approximated LFU among the keys with an expire set.",
            "volatile-lru": "Evict keys with an expire set, trying to remove the less recently used keys first.",
            "volatile-random": "Evict random keys with an expire set.",
            "volatile-ttl": "Evict keys with an expire set, trying to remove keys with a shorter time to live first.",
        }
        return {
            "maxmemory_policy": {
                "default": "noeviction",
                "desc": "Sets the key eviction policy used when data exceeds your plan's storage capacity.",
                "value": data["maxmemory_policy"],
                "values": policy_values,
            },
            "notify_keyspace_events": {
                "default": "",
                "desc": "Set the keyspace notifications events.",
                "value": data["notify_keyspace_events"],
            },
            "standby_segv_workaround": {
                "default": False,
                "desc": "Set standby_segv_workaround.",
                "value": False,
            },
            "timeout": {
                "default": 300,
                "desc": "Sets the number of seconds Redis waits before killing idle connections.",
                "value": data["timeout"],
            },
        }

    def render_addon_data(self, addon):
        data = addon.get("data")
        if not data:
            return
        kind = data["kind"]
        base = "/client/v11/databases/%s" % addon["id"]
        if addon["state"] == "provisioning":
            self.render_unprovisioned(addon, kind, base)
            return
        if kind == "dedicated":
            self.out[base] = self.render_pg_dedicated(addon, data)
            self.out[base + "/transfer-schedules"] = [dict(s) for s in data.get("schedules", [])]
        elif kind == "tenant":
            self.out[base] = self.render_pg_tenant(addon, data)
            self.out[base + "/transfer-schedules"] = [dict(s) for s in data.get("schedules", [])]
        elif kind == "advanced":
            self.out["/data/postgres/v1/%s/info" % addon["id"]] = self.render_pg_advanced(addon, data)
        elif kind == "redis":
            self.out["/redis/v0/databases/%s" % addon["id"]] = self.render_redis(addon, data)
            self.out["/redis/v0/databases/%s/config" % addon["id"]] = self.render_redis_config(data)
        else:
            raise ValueError("unknown data kind %r for add-on %s" % (kind, addon["name"]))

    def render_unprovisioned(self, addon, kind, base):
        """Record the 404 responses the data API returns while an add-on is still provisioning.

        The info endpoint responds with the HTML body `<h1>Not Found</h1>` under a JSON
        content type, which real data API responses have been recorded doing.
        """
        html_404 = {"status": 404, "content_type": "application/json", "body": "<h1>Not Found</h1>"}
        json_404 = {
            "status": 404,
            "content_type": "application/json",
            "body": {"id": "not_found", "message": "Couldn't find database %s." % addon["name"]},
        }
        if kind in ("dedicated", "tenant"):
            self.statuses[base] = html_404
            self.statuses[base + "/transfer-schedules"] = json_404
        elif kind == "advanced":
            self.statuses["/data/postgres/v1/%s/info" % addon["id"]] = json_404
        elif kind == "redis":
            self.statuses["/redis/v0/databases/%s" % addon["id"]] = html_404
            self.statuses["/redis/v0/databases/%s/config" % addon["id"]] = json_404

    # ----- whole account -----------------------------------------------------

    def files(self):
        """Return ({path: body}, {path: status answer}) for the whole model."""
        model = self.model
        out = self.out
        account_id = model["account"]["id"]

        out["/account"] = self.render_account()
        out["/account/features"] = [dict(f) for f in model.get("account_features", [])]
        out["/regions"] = [self.render_region(r) for r in model["regions"]]
        out["/stacks"] = [self.render_stack(s) for s in model["stacks"]]

        apps_by_team = {}
        for app in model["apps"]:
            apps_by_team.setdefault(app["team_id"], []).append(app)
        out["/teams"] = [self.render_team(t) for t in model["teams"]]
        for team in model["teams"]:
            out["/teams/%s" % team["id"]] = self.render_team(team)
            out["/teams/%s/members" % team["id"]] = [self.render_member(team, m) for m in team["members"]]
            out["/teams/%s/apps" % team["id"]] = [self.render_team_app(a) for a in apps_by_team.get(team["id"], [])]

        out["/spaces"] = [self.render_space(s) for s in model["spaces"]]
        for space in model["spaces"]:
            out["/spaces/%s" % space["id"]] = self.render_space(space)
            out["/spaces/%s/inbound-ruleset" % space["id"]] = self.render_ruleset(space)
            out["/spaces/%s/nat" % space["id"]] = dict(space["nat"])

        out["/apps"] = []
        out["/users/~/apps"] = []
        for app in model["apps"]:
            rendered = self.render_app_files(app)
            out["/apps"].append(rendered)
            if app["team_id"] is None and any(c["user_id"] == account_id for c in app["collaborators"]):
                out["/users/~/apps"].append(rendered)

        all_addons = []
        all_attachments = []
        addons_by_app = {}
        attachments_by_app = {}
        for addon in model["addons"]:
            rendered = self.render_addon(addon)
            all_addons.append(rendered)
            addons_by_app.setdefault(addon["app_id"], []).append(rendered)
            out["/addons/%s" % addon["id"]] = rendered
            attachments = [self.render_attachment(addon, att) for att in addon["attachments"] if att["app_id"] in self.apps]
            out["/addons/%s/addon-attachments" % addon["id"]] = attachments
            all_attachments.extend(attachments)
            for att in attachments:
                attachments_by_app.setdefault(att["app"]["id"], []).append(att)
            self.render_addon_data(addon)
        out["/addons"] = all_addons
        out["/addon-attachments"] = all_attachments
        for app in model["apps"]:
            out["/apps/%s/addons" % app["id"]] = addons_by_app.get(app["id"], [])
            out["/apps/%s/addon-attachments" % app["id"]] = attachments_by_app.get(app["id"], [])

        self.render_pipelines()

        for app_id, transfers in model.get("transfers", {}).items():
            if app_id in self.apps:
                out["/client/v11/apps/%s/transfers" % app_id] = [dict(t) for t in transfers]

        return out, self.statuses

    def render_app_files(self, app):
        out = self.out
        base = "/apps/%s" % app["id"]
        out[base] = self.render_app(app)
        collaborators = [self.render_collaborator(app, c) for c in app["collaborators"]]
        out[base + "/collaborators"] = collaborators
        if app["team_id"]:
            out["/teams/apps/%s/collaborators" % app["id"]] = collaborators
        out[base + "/domains"] = [self.render_domain(app, d) for d in app["domains"]]
        out[base + "/formation"] = [self.render_formation(app, p) for p in app["formation"]]
        out[base + "/sni-endpoints"] = [self.render_sni_endpoint(app, e) for e in app["sni_endpoints"]]
        out[base + "/log-drains"] = [self.render_log_drain(app, d) for d in app["log_drains"]]
        out[base + "/features"] = [dict(f) for f in app["features"]]
        out[base + "/buildpack-installations"] = [
            {"buildpack": {"name": bp["name"], "url": bp["url"]}, "ordinal": index}
            for index, bp in enumerate(app["buildpacks"])
        ]
        out[base + "/webhooks"] = [self.render_webhook(app, h) for h in app["webhooks"]]
        out[base + "/releases"] = [self.render_release(app, r) for r in app["releases"]]
        return out[base]

    def render_pipelines(self):
        out = self.out
        all_couplings = []
        pipelines = []
        for pipeline in self.model["pipelines"]:
            owner = {"id": pipeline["owner_team_id"], "type": "team"} if pipeline.get("owner_team_id") else None
            body = {
                "created_at": pipeline["created_at"],
                "generation": GENERATION_CEDAR,
                "id": pipeline["id"],
                "name": pipeline["name"],
                "owner": owner,
                "updated_at": pipeline["updated_at"],
            }
            pipelines.append(body)
            out["/pipelines/%s" % pipeline["id"]] = body
            couplings = []
            for coupling in pipeline["couplings"]:
                if coupling["app_id"] not in self.apps:
                    continue
                rendered = {
                    "app": {"id": coupling["app_id"]},
                    "created_at": coupling["created_at"],
                    "id": coupling["id"],
                    "pipeline": {"id": pipeline["id"]},
                    "stage": coupling["stage"],
                    "updated_at": coupling["updated_at"],
                }
                couplings.append(rendered)
                out["/apps/%s/pipeline-couplings" % coupling["app_id"]] = rendered
            out["/pipelines/%s/pipeline-couplings" % pipeline["id"]] = couplings
            all_couplings.extend(couplings)
        out["/pipelines"] = pipelines
        out["/pipeline-couplings"] = all_couplings


def render(model):
    """Return ({path: body}, {path: status answer}) for an account model."""
    return Renderer(model).files()

