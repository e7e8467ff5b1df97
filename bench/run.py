#!/usr/bin/env python3
"""Measure Docket against its baselines on synthetic Heroku accounts, in one run.

For each account of the preset, the run generates the seeded synthetic account
(Fixtures/make_synthetic.py), serves it with the fake Heroku API on 127.0.0.1, and captures
one snapshot per fixture day with Docket. Depending on the account's plan, it also commits
each snapshot, exported as a JSON tree, to a git repository (bench/git_baseline.py). At two
store sizes, SPAN + 1 and DAYS snapshots, it measures diff, or bundle and verify, so that
peak memory can be compared as the store grows. At the last day it measures the baselines
on the same data: git diff, sha256sum plus tar cf or tar --zstd over the extracted bundle,
and sha256sum over the bundle.

Usage:
    python3 bench/run.py --preset full  [--docket .build/release/docket] [--work DIR]
    python3 bench/run.py --preset quick [--docket .build/release/docket] [--work DIR]

Results: WORK/results.json (every measurement) and WORK/results.md (the tables, also printed).
Timings depend on the machine and on whatever else runs on it; the tables name the machine.
"""

import argparse
import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.request

BENCH = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.dirname(BENCH)
FIXTURES = os.path.join(REPOSITORY, "Fixtures")
sys.path.insert(0, FIXTURES)

import report  # noqa: E402
from docket_store import DocketStore  # noqa: E402
from git_baseline import GitBaseline  # noqa: E402
from measure import CommandFailed, require_gnu_time, run_measured  # noqa: E402

FIRST_DAY = dt.date(2026, 1, 5)  # day 1 of make_synthetic.py
CAPTURE_HOUR = "T06:00:00Z"

FULL_ACCOUNT = ["--seed", "1", "--apps", "2000", "--addons", "8000", "--teams", "50", "--members", "1000",
                "--domains", "6000", "--drains", "3000", "--days", "90", "--churn", "0.005"]
SMALL_ACCOUNT = ["--small", "--seed", "1"]

# Each preset measures one or more accounts. A 90-day bundle of the full account would
# contain 91 x 60,000 evidence files (about 5.5 million tar entries). Writing, extracting and
# verifying it would take longer than the whole benchmark may, so the full preset bundles 90
# days of the small account instead.
PRESETS = {
    "full": [
        {"name": "estate", "generator": FULL_ACCOUNT, "days": 90, "span": 30, "measure": ["git", "diff"]},
        {"name": "bundle", "generator": SMALL_ACCOUNT + ["--days", "90"], "days": 90, "span": 30, "measure": ["bundle"]},
    ],
    "quick": [
        {"name": "quick", "generator": SMALL_ACCOUNT + ["--days", "12"], "days": 12, "span": 5,
         "measure": ["git", "diff", "bundle"]},
    ],
}


def day_date(day):
    return (FIRST_DAY + dt.timedelta(days=day - 1)).isoformat()


def log(message):
    print("bench: %s" % message, file=sys.stderr, flush=True)


# ----- the synthetic account and the fake API ----------------------------------------


def generate(arguments, folder):
    """Generate the synthetic account unless `folder` already contains one made with `arguments`."""
    stamp = os.path.join(folder, "bench-generator.json")
    if os.path.exists(stamp):
        with open(stamp, encoding="utf-8") as handle:
            if json.load(handle) == arguments:
                log("reusing the synthetic account in %s" % folder)
                return
    if os.path.exists(folder):
        shutil.rmtree(folder)
    log("generating the synthetic account: make_synthetic.py %s" % " ".join(arguments))
    subprocess.run([sys.executable, os.path.join(FIXTURES, "make_synthetic.py"), *arguments, "--out", folder], check=True,
                   stdout=subprocess.DEVNULL)
    with open(stamp, "w", encoding="utf-8") as handle:
        json.dump(arguments, handle)


class FakeAPI:
    """The fake Heroku API serving the synthetic account, with a rate-limit bucket large
    enough that no capture is paced."""

    def __init__(self, data, work):
        port_file = os.path.join(work, "fake.port")
        if os.path.exists(port_file):
            os.remove(port_file)
        self.log = open(os.path.join(work, "fake.log"), "w", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(FIXTURES, "fake_heroku.py"), "--synthetic", data, "--day", "1", "--port", "0",
             "--port-file", port_file, "--rate-capacity", "1000000000"],
            stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.monotonic() + 300
        while not os.path.exists(port_file):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the fake API did not start; see %s" % self.log.name)
            time.sleep(0.2)
        with open(port_file, encoding="utf-8") as handle:
            self.url = "http://127.0.0.1:%s" % handle.read().strip()

    def control(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=600) as response:
            return json.load(response)

    def serve_day(self, day):
        self.control("PUT", "/_fake/config", {"reset": True, "day": day})

    def stop(self):
        try:
            self.control("POST", "/_fake/shutdown")
        except OSError:
            pass
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            self.process.wait()
        self.log.close()


def minimum_requests(data, days):
    """Compute the fewest requests that read each of `days` from the fixture files. A child
    process does it, so the account it loads does not stay in this process's memory."""
    output = subprocess.run([sys.executable, os.path.join(BENCH, "catalogue.py"), data, *map(str, days)], check=True,
                            capture_output=True, text=True).stdout
    return json.loads(output)


# ----- measurements -----------------------------------------------------------------


class AccountBench:
    """Captures one synthetic account day by day and measures what its plan lists:
    `git` (the git baseline and store growth), `diff` and `bundle` (bundle and verify)."""

    def __init__(self, plan, docket, work):
        self.plan = plan
        self.docket = docket
        self.work = os.path.join(work, plan["name"])
        self.data = os.path.join(self.work, "synthetic")
        self.store = os.path.join(self.work, "store.sqlite")
        self.results = {"plan": plan, "captures": [], "store_sizes": {}, "git_sizes": {}, "checkpoints": {}}

    def docket_command(self, *arguments):
        return [self.docket, *arguments, "--store", self.store]

    def store_size(self):
        """Checkpoint the WAL into the database file, then return file plus WAL bytes."""
        connection = sqlite3.connect(self.store)
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
        wal = self.store + "-wal"
        return os.path.getsize(self.store) + (os.path.getsize(wal) if os.path.exists(wal) else 0)

    def capture(self, fake, day):
        fake.serve_day(day)
        environment = dict(os.environ, DOCKET_NOW=day_date(day) + CAPTURE_HOUR)
        command = [self.docket, "capture", "--store", self.store, "--api-url", fake.url, "--data-api-url", fake.url,
                   "--token-file", os.path.join(self.data, "token"), "--json"]
        measured = run_measured(command, environment=environment)
        summary = json.loads(measured.pop("stdout"))
        if summary.get("outcome") != "complete":
            raise CommandFailed("capture of day %d ended %s: %s" % (day, summary.get("outcome"), summary.get("error")))
        served = fake.control("GET", "/_fake/stats")["requests"]
        measured.update(day=day, requests=summary["requests"], retries=summary["retries"], served=served,
                        resources=summary["resources"])
        return measured

    def run(self):
        plan = self.plan
        os.makedirs(self.work, exist_ok=True)
        generate(plan["generator"], self.data)
        for path in (self.store, self.store + "-wal", self.store + "-shm"):
            if os.path.exists(path):
                os.remove(path)
        self.results["minimum_requests"] = minimum_requests(self.data, [1, plan["days"]])
        checkpoints = [plan["span"] + 1, plan["days"]]
        uses_git = "git" in plan["measure"]
        fake = FakeAPI(self.data, self.work)
        reader = git = None
        try:
            for day in range(1, plan["days"] + 1):
                capture = self.capture(fake, day)
                self.results["captures"].append(capture)
                self.results["store_sizes"][str(day)] = self.store_size()
                log("%s day %d: capture %.1f s, %d requests, peak %d MB, store %.1f MB" % (
                    plan["name"], day, capture["seconds"], capture["requests"], capture["max_rss_kb"] // 1024,
                    self.results["store_sizes"][str(day)] / 1e6))
                if uses_git:
                    if git is None:
                        reader = DocketStore(self.store)
                        git = GitBaseline(os.path.join(self.work, "git"), reader)
                    started = time.monotonic()
                    git.commit_snapshot(reader.snapshots()[-1])
                    capture["git_commit_seconds"] = time.monotonic() - started
                    if day in (1, plan["days"]):
                        self.results["git_sizes"][str(day)] = git.gc_size()
                if day in checkpoints:
                    self.results["checkpoints"][str(day)] = self.measure_checkpoint(day, git, with_baselines=day == plan["days"])
        finally:
            fake.stop()
            if reader is not None:
                reader.close()
        return self.results

    def measure_checkpoint(self, day, git, with_baselines):
        log("%s: measuring with %d snapshots" % (self.plan["name"], day))
        results = {}
        if "diff" in self.plan["measure"]:
            results["diff"] = self.measure_diff(day, git)
        if "bundle" in self.plan["measure"]:
            results["bundle"] = self.measure_bundle(day, with_baselines)
        return results

    def measure_diff(self, day, git):
        older = max(1, day - self.plan["span"])
        output = os.path.join(self.work, "diff-%d.txt" % day)
        with open(output, "w", encoding="utf-8") as handle:
            docket = run_measured(self.docket_command("diff", day_date(older), day_date(day)), stdout=handle)
        docket["output_bytes"] = os.path.getsize(output)
        old_commit, new_commit = git.commits[older - 1], git.commits[day - 1]
        with open(output, "w", encoding="utf-8") as handle:
            stat = run_measured(["git", "-C", git.folder, "diff", "--stat", old_commit, new_commit], stdout=handle)
        stat["output_bytes"] = os.path.getsize(output)
        with open(output, "w", encoding="utf-8") as handle:
            patch = run_measured(["git", "-C", git.folder, "diff", old_commit, new_commit], stdout=handle)
        patch["output_bytes"] = os.path.getsize(output)
        os.remove(output)
        return {"from_day": older, "to_day": day, "docket": docket, "git_stat": stat, "git_patch": patch}

    def measure_bundle(self, day, with_baselines):
        period = "%s..%s" % (day_date(1), day_date(day))
        results = {"period": period}
        compressions = ["tar", "tar.zst"] if with_baselines else ["tar"]
        for suffix in compressions:
            bundle = os.path.join(self.work, "bundle-%d.%s" % (day, suffix))
            measured = run_measured(self.docket_command("bundle", period, "-o", bundle), stdout=subprocess.DEVNULL)
            measured["bytes"] = os.path.getsize(bundle)
            results[suffix] = measured
        tar = os.path.join(self.work, "bundle-%d.tar" % day)
        results["verify"] = run_measured([self.docket, "verify", tar], stdout=subprocess.DEVNULL)
        results["verify"]["bytes"] = os.path.getsize(tar)
        if with_baselines:
            results["baselines"] = self.measure_bundle_baselines(tar)
        for suffix in compressions:
            os.remove(os.path.join(self.work, "bundle-%d.%s" % (day, suffix)))
        return results

    def measure_bundle_baselines(self, bundle):
        """tar and sha256sum over the same exported tree: Docket's bundle, extracted. GNU tar
        restores its hard links, so identical files stay one file on disk and in the tars."""
        export = os.path.join(self.work, "export")
        if os.path.exists(export):
            shutil.rmtree(export)
        os.makedirs(export)
        subprocess.run(["tar", "-xf", bundle, "-C", export], check=True)
        (bag,) = os.listdir(export)
        manifest = os.path.join(self.work, "baseline-sha256.txt")
        hashing = run_measured(
            ["bash", "-c", "find %s/data -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum > %s" % (bag, manifest)],
            cwd=export)
        baselines = {"sha256sum_tree": hashing}
        for name, flags, suffix in (("tar", ["-cf"], "tar"), ("tar_zstd", ["--zstd", "-cf"], "tar.zst")):
            target = os.path.join(self.work, "baseline.%s" % suffix)
            measured = run_measured(["tar", *flags, target, bag], cwd=export)
            measured["bytes"] = os.path.getsize(target)
            baselines[name] = measured
            os.remove(target)
        baselines["sha256sum_bundle"] = run_measured(["sha256sum", bundle], stdout=subprocess.DEVNULL)
        baselines["files"] = sum(1 for line in open(manifest, encoding="utf-8", errors="replace"))
        shutil.rmtree(export)
        os.remove(manifest)
        return baselines



def write_results(results, work):
    with open(os.path.join(work, "results.json"), "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=2, sort_keys=True)
    markdown = report.render(results)
    with open(os.path.join(work, "results.md"), "w", encoding="utf-8") as handle:
        handle.write(markdown)
    print(markdown)


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description="Measure Docket against git, tar and sha256sum on a synthetic account.")
    parser.add_argument("--preset", choices=sorted(PRESETS), default="quick")
    parser.add_argument("--docket", default=os.path.join(REPOSITORY, ".build", "release", "docket"),
                        help="the docket binary to measure (build it with `swift build -c release`)")
    parser.add_argument("--work", help="working folder for the accounts, the stores and the git repository "
                                       "(default .bench/PRESET; the full preset needs about 5 GB)")
    parser.add_argument("--account", action="append",
                        help="measure only this account of the preset (repeatable), such as `estate` or `bundle`")
    options = parser.parse_args(argv)
    names = [plan["name"] for plan in PRESETS[options.preset]]
    for name in options.account or []:
        if name not in names:
            parser.error("the %s preset has no account %r; it has %s" % (options.preset, name, ", ".join(names)))
    options.work = os.path.abspath(options.work or os.path.join(REPOSITORY, ".bench", options.preset))
    options.docket = os.path.abspath(options.docket)
    return options


def main(argv=None):
    options = parse_arguments(argv)
    require_gnu_time()
    for tool in ("git", "tar", "zstd", "sha256sum"):
        if shutil.which(tool) is None:
            raise SystemExit("%s is missing: run `make setup`, which installs the benchmark's Debian packages." % tool)
    if not os.access(options.docket, os.X_OK):
        raise SystemExit("no docket binary at %s: run `swift build -c release` first." % options.docket)
    if not report.has_command(options.docket, "bundle"):
        raise SystemExit("%s has no bundle command; build a Docket that has one." % options.docket)
    os.makedirs(options.work, exist_ok=True)
    started = time.monotonic()
    results = {"preset": options.preset, "machine": report.machine(options.docket), "accounts": []}
    for plan in PRESETS[options.preset]:
        if options.account and plan["name"] not in options.account:
            continue
        results["accounts"].append(AccountBench(plan, options.docket, options.work).run())
    results["seconds"] = time.monotonic() - started
    write_results(results, options.work)
    log("finished in %.0f s" % results["seconds"])


if __name__ == "__main__":
    main()
