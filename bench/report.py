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
    """The machine, the date and the versions of every tool measured."""
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
    days, span = results["days"], results["span"]
    first_checkpoint = str(span + 1)
    sections = [
        "# Benchmark results (%s preset, %d days)\n" % (results["preset"], days),
        machine_section(results["machine"]),
        capture_section(results, first_checkpoint),
        store_section(results),
        diff_section(results),
        bundle_section(results),
        memory_section(results, first_checkpoint),
    ]
    return "\n".join(section for section in sections if section)


def machine_section(info):
    return ("Machine: %d cores (%s), %.0f GB memory, Linux %s. Date: %s. Docket %s (commit %s); %s; %s; %s; Python %s.\n"
            % (info["cores"], info["cpu"], info["memory_gb"], info["kernel"], info["date"], info["docket"],
               info["commit"], info["git"], info["tar"], info["zstd"], info["python"]))


def capture_section(results, first_checkpoint):
    captures = results["captures"]
    days = results["days"]
    first, last = captures[0], captures[-1]
    daily = captures[1:] or captures
    median_seconds = statistics.median(capture["seconds"] for capture in daily)
    median_rate = statistics.median(capture["resources"] / capture["seconds"] for capture in daily)
    minimum = results["minimum_requests"]
    checkpoint = captures[int(first_checkpoint) - 1]
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
        ["peak memory, capture with %s / %d snapshots" % (first_checkpoint, days),
         "%s / %s" % (megabytes(checkpoint["max_rss_kb"]), megabytes(last["max_rss_kb"])), "", ""],
        ["git baseline: export and commit one day (median)",
         "", seconds(statistics.median(capture["git_commit_seconds"] for capture in daily)), ""],
    ]
    return ("## Capture (%d resources on day %d)\n\n" % (last["resources"], days)
            + table(["figure", "Docket", "baseline", "Docket / baseline"], rows))


def store_section(results):
    days = results["days"]
    store, git = results["store_sizes"], results["git_sizes"]
    store_growth = (store[str(days)] - store["1"]) / (days - 1)
    git_growth = (git[str(days)] - git["1"]) / (days - 1)
    rows = [
        ["size after day 1", size(store["1"]), size(git["1"]), ratio(store["1"], git["1"])],
        ["size after day %d" % days, size(store[str(days)]), size(git[str(days)]), ratio(store[str(days)], git[str(days)])],
        ["bytes added per daily snapshot (days 2-%d)" % days, size(store_growth), size(git_growth),
         ratio(store_growth, git_growth)],
    ]
    return ("## Store growth\n\n"
            + table(["figure", "Docket store (after WAL checkpoint)", "git repository (.git after git gc)",
                     "Docket / git"], rows))


def diff_section(results):
    rows = []
    for day, checkpoint in sorted(results["checkpoints"].items(), key=lambda item: int(item[0])):
        diff = checkpoint["diff"]
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
    return ("## Diff\n\n"
            + table(["figure", "docket diff", "git diff --stat", "Docket / --stat", "git diff", "Docket / git diff"], rows))


def bundle_section(results):
    last = results["checkpoints"][str(results["days"])]
    bundle = last.get("bundle")
    if not bundle:
        return "## Bundle and verify\n\nNot measured: this docket build has no `bundle` command.\n"
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
    return ("## Bundle (period %s, %d files)\n\n" % (bundle["period"], baselines["files"])
            + table(["figure", "docket bundle", "baseline over the extracted bundle", "Docket / baseline"], rows)
            + "\n## Verify\n\n"
            + table(["figure", "docket verify", "baseline", "Docket / baseline"], verify_rows))


def memory_section(results, first_checkpoint):
    days = str(results["days"])
    small, large = results["checkpoints"].get(first_checkpoint), results["checkpoints"].get(days)
    if not small or not large:
        return ""
    captures = results["captures"]
    rows = [["capture", captures[int(first_checkpoint) - 1]["max_rss_kb"], captures[-1]["max_rss_kb"]],
            ["diff (latest vs %d days earlier)" % results["span"], small["diff"]["docket"]["max_rss_kb"],
             large["diff"]["docket"]["max_rss_kb"]]]
    if small.get("bundle") and large.get("bundle"):
        rows.append(["bundle .tar (every snapshot in the store)", small["bundle"]["tar"]["max_rss_kb"],
                     large["bundle"]["tar"]["max_rss_kb"]])
        rows.append(["verify .tar", small["bundle"]["verify"]["max_rss_kb"], large["bundle"]["verify"]["max_rss_kb"]])
    formatted = [[name, megabytes(a), megabytes(b), ratio(b, a)] for name, a, b in rows]
    return ("## Peak memory as the store grows\n\n"
            + table(["command", "%s snapshots" % first_checkpoint, "%s snapshots" % days,
                     "%s / %s" % (days, first_checkpoint)], formatted))
