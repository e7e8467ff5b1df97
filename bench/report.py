"""Describe the machine and render the benchmark results as Markdown tables."""

import datetime as dt
import os
import platform
import statistics
import subprocess


def first_line(command):
    try:
        output = subprocess.run(command, capture_output=True, text=True, check=False).stdout
    except OSError:
        return "missing"
    return output.splitlines()[0].strip() if output else "unknown"


def machine(docket):
    """Describe the machine, the date and the versions of every tool measured."""
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as handle:
        memory_kb = int(next(line for line in handle if line.startswith("MemTotal")).split()[1])
    repository = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "kernel": platform.release(),
        "docket": first_line([docket, "--version"]),
        "commit": first_line(["git", "-C", repository, "rev-parse", "--short", "HEAD"]),
        "git": first_line(["git", "--version"]),
        "tar": first_line(["tar", "--version"]),
        "zstd": first_line(["zstd", "--version"]).strip("* "),
        "sha256sum": first_line(["sha256sum", "--version"]),
        "python": platform.python_version(),
    }


def has_command(docket, name):
    """True when `docket NAME --help` succeeds, so a build without that command is measured
    for everything else."""
    return subprocess.run([docket, name, "--help"], capture_output=True).returncode == 0


# ----- formatting ---------------------------------------------------------------------


def seconds(value):
    return "%.2f s" % value if value < 10 else "%.1f s" % value


def megabytes(kb):
    return "%.0f MB" % (kb / 1024)


def size(count):
    if count >= 1e9:
        return "%.2f GB" % (count / 1e9)
    if count >= 1e6:
        return "%.1f MB" % (count / 1e6)
    return "%.0f kB" % (count / 1e3)


def ratio(numerator, denominator):
    return "%.2f" % (numerator / denominator) if denominator else "n/a"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * len(header)) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


# ----- sections ---------------------------------------------------------------------------


def render(results):
    accounts = results["accounts"]
    sections = ["# Benchmark results: %s preset\n" % results["preset"], machine_section(results["machine"], results)]
    for account in accounts:
        sections.append(capture_section(account))
    sections += [store_section(account) for account in accounts if "git" in account["plan"]["measure"]]
    sections += [diff_section(account) for account in accounts if "diff" in account["plan"]["measure"]]
    sections += [bundle_section(account) for account in accounts if "bundle" in account["plan"]["measure"]]
    sections.append(memory_section(accounts))
    return "\n".join(sections)


def machine_section(info, results):
    return ("Machine: %d cores (%s), %.0f GB memory, Linux %s. Date: %s. Docket %s (commit %s); %s; %s; %s; "
            "Python %s. The run took %.0f s.\n"
            % (info["cores"], info["cpu"], info["memory_gb"], info["kernel"], info["date"], info["docket"],
               info["commit"], info["git"], info["tar"], info["zstd"], info["python"], results["seconds"]))


def describe(account):
    plan = account["plan"]
    return "account `%s` (make_synthetic.py %s), %d daily snapshots" % (
        plan["name"], " ".join(plan["generator"]), plan["days"])


def checkpoint_days(account):
    plan = account["plan"]
    return str(plan["span"] + 1), str(plan["days"])


def capture_section(account):
    captures = account["captures"]
    days = account["plan"]["days"]
    first, last = captures[0], captures[-1]
    daily = captures[1:] or captures
    median_seconds = statistics.median(capture["seconds"] for capture in daily)
    median_rate = statistics.median(capture["resources"] / capture["seconds"] for capture in daily)
    minimum = account["minimum_requests"]
    small, large = checkpoint_days(account)
    rows = [
        ["requests, day 1", "%d" % first["requests"], "%d (fewest possible)" % minimum["1"]["total"],
         ratio(first["requests"], minimum["1"]["total"])],
        ["requests, day %d" % days, "%d" % last["requests"], "%d (fewest possible)" % minimum[str(days)]["total"],
         ratio(last["requests"], minimum[str(days)]["total"])],
        ["retries, all days", "%d" % sum(capture["retries"] for capture in captures), "", ""],
        ["wall time, day 1 (empty store)", seconds(first["seconds"]), "", ""],
        ["wall time, daily capture (median of days 2-%d)" % days, seconds(median_seconds), "", ""],
        ["resources per second (median daily capture)", "%.0f" % median_rate, "", ""],
        ["CPU time, daily capture (median, user + system)",
         seconds(statistics.median(capture["user_seconds"] + capture["system_seconds"] for capture in daily)), "", ""],
        ["peak memory, capture with %s / %s snapshots" % (small, large),
         "%s / %s" % (megabytes(captures[int(small) - 1]["max_rss_kb"]), megabytes(last["max_rss_kb"])), "", ""],
    ]
    if "git" in account["plan"]["measure"]:
        rows.append(["git baseline: export and commit one day (median)", "",
                     seconds(statistics.median(capture["git_commit_seconds"] for capture in daily)), ""])
    return ("## Capture: %s, %d resources on day %d\n\n" % (describe(account), last["resources"], days)
            + table(["figure", "Docket", "baseline", "Docket / baseline"], rows))


def store_section(account):
    days = account["plan"]["days"]
    store, git = account["store_sizes"], account["git_sizes"]
    store_growth = (store[str(days)] - store["1"]) / (days - 1)
    git_growth = (git[str(days)] - git["1"]) / (days - 1)
    rows = [
        ["size after day 1", size(store["1"]), size(git["1"]), ratio(store["1"], git["1"])],
        ["size after day %d" % days, size(store[str(days)]), size(git[str(days)]), ratio(store[str(days)], git[str(days)])],
        ["bytes added per daily snapshot (days 2-%d)" % days, size(store_growth), size(git_growth),
         ratio(store_growth, git_growth)],
    ]
    return ("## Store growth: %s\n\n" % describe(account)
            + table(["figure", "Docket store (after WAL checkpoint)", "git repository (.git after git gc)",
                     "Docket / git"], rows))


def diff_section(account):
    rows = []
    for day in checkpoint_days(account):
        diff = account["checkpoints"][day]["diff"]
        docket, stat, patch = diff["docket"], diff["git_stat"], diff["git_patch"]
        label = "day %d vs day %d" % (diff["to_day"], diff["from_day"])
        rows.append(["%s: wall time" % label, seconds(docket["seconds"]), seconds(stat["seconds"]),
                     ratio(docket["seconds"], stat["seconds"]), seconds(patch["seconds"]),
                     ratio(docket["seconds"], patch["seconds"])])
        rows.append(["%s: peak memory" % label, megabytes(docket["max_rss_kb"]), megabytes(stat["max_rss_kb"]),
                     ratio(docket["max_rss_kb"], stat["max_rss_kb"]), megabytes(patch["max_rss_kb"]),
                     ratio(docket["max_rss_kb"], patch["max_rss_kb"])])
        rows.append(["%s: output" % label, size(docket["output_bytes"]), size(stat["output_bytes"]), "",
                     size(patch["output_bytes"]), ""])
    return ("## Diff: %s\n\n" % describe(account)
            + table(["figure", "docket diff", "git diff --stat", "Docket / --stat", "git diff", "Docket / git diff"], rows))


def bundle_section(account):
    bundle = account["checkpoints"][str(account["plan"]["days"])]["bundle"]
    baselines = bundle["baselines"]
    hashing = baselines["sha256sum_tree"]["seconds"]
    tar, zst = bundle["tar"], bundle["tar.zst"]
    tar_baseline = hashing + baselines["tar"]["seconds"]
    zst_baseline = hashing + baselines["tar_zstd"]["seconds"]
    rows = [
        [".tar: wall time", seconds(tar["seconds"]), "sha256sum + tar cf: %s" % seconds(tar_baseline),
         ratio(tar["seconds"], tar_baseline)],
        [".tar: size", size(tar["bytes"]), "tar cf: %s" % size(baselines["tar"]["bytes"]),
         ratio(tar["bytes"], baselines["tar"]["bytes"])],
        [".tar.zst: wall time", seconds(zst["seconds"]), "sha256sum + tar --zstd: %s" % seconds(zst_baseline),
         ratio(zst["seconds"], zst_baseline)],
        [".tar.zst: size", size(zst["bytes"]), "tar --zstd: %s" % size(baselines["tar_zstd"]["bytes"]),
         ratio(zst["bytes"], baselines["tar_zstd"]["bytes"])],
        [".tar: peak memory", megabytes(tar["max_rss_kb"]), "tar cf: %s" % megabytes(baselines["tar"]["max_rss_kb"]),
         ratio(tar["max_rss_kb"], baselines["tar"]["max_rss_kb"])],
    ]
    verify = bundle["verify"]
    checksum = baselines["sha256sum_bundle"]
    verify_rate = verify["bytes"] / verify["seconds"] / 1e6
    checksum_rate = verify["bytes"] / checksum["seconds"] / 1e6
    verify_rows = [
        ["throughput over the .tar (%s)" % size(verify["bytes"]), "%.0f MB/s" % verify_rate,
         "sha256sum: %.0f MB/s" % checksum_rate, ratio(verify_rate, checksum_rate)],
        ["wall time", seconds(verify["seconds"]), "sha256sum: %s" % seconds(checksum["seconds"]),
         ratio(verify["seconds"], checksum["seconds"])],
        ["peak memory", megabytes(verify["max_rss_kb"]), "sha256sum: %s" % megabytes(checksum["max_rss_kb"]),
         ratio(verify["max_rss_kb"], checksum["max_rss_kb"])],
    ]
    return ("## Bundle: %s; period %s, %d payload files\n\n" % (describe(account), bundle["period"], baselines["files"])
            + table(["figure", "docket bundle", "baseline over the extracted bundle", "Docket / baseline"], rows)
            + "\n## Verify: the same bundle\n\n"
            + table(["figure", "docket verify", "baseline", "Docket / baseline"], verify_rows))


def memory_section(accounts):
    rows = []
    for account in accounts:
        small, large = checkpoint_days(account)
        name = account["plan"]["name"]
        checkpoints = account["checkpoints"]
        captures = account["captures"]
        rows.append(["capture (%s)" % name, small, large, captures[int(small) - 1]["max_rss_kb"], captures[-1]["max_rss_kb"]])
        if "diff" in account["plan"]["measure"]:
            rows.append(["diff, latest vs %d days earlier (%s)" % (account["plan"]["span"], name), small, large,
                         checkpoints[small]["diff"]["docket"]["max_rss_kb"], checkpoints[large]["diff"]["docket"]["max_rss_kb"]])
        if "bundle" in account["plan"]["measure"]:
            rows.append(["bundle .tar of every snapshot (%s)" % name, small, large,
                         checkpoints[small]["bundle"]["tar"]["max_rss_kb"], checkpoints[large]["bundle"]["tar"]["max_rss_kb"]])
            rows.append(["verify .tar (%s)" % name, small, large, checkpoints[small]["bundle"]["verify"]["max_rss_kb"],
                         checkpoints[large]["bundle"]["verify"]["max_rss_kb"]])
    formatted = [[name, "%s: %s" % (a_day, megabytes(a)), "%s: %s" % (b_day, megabytes(b)), ratio(b, a)]
                 for name, a_day, b_day, a, b in rows]
    return ("## Peak memory as the store grows\n\n"
            + table(["command", "smaller store (snapshots: peak)", "larger store (snapshots: peak)", "larger / smaller"],
                    formatted))
