"""The git baseline: the exported JSON tree of each snapshot, committed to a git repository
once a day, as users of RANCID or Oxidized keep device configurations.

Each snapshot becomes one commit whose tree holds one pretty-printed JSON file per resource,
`<kind>/<name>.json`, with the same content and file names as a snapshot folder of a Docket
bundle. Only files whose resource changed are rewritten, as a script that fetches the API
and writes files would leave unchanged files untouched.
"""

import os
import shutil
import subprocess

from docket_store import TreeReader, pretty_json


def directory_size(path):
    """Return the bytes of every file below `path` (the apparent size, as `du -sb` counts)."""
    total = 0
    for root, _folders, names in os.walk(path):
        for name in names:
            total += os.lstat(os.path.join(root, name)).st_size
    return total


class GitBaseline:
    """A git repository that receives one commit per snapshot of a Docket store."""

    def __init__(self, folder, store):
        self.folder = folder
        self.store = store
        self.reader = TreeReader(store)
        self.files = {}  # path -> object digest of the last committed snapshot
        self.commits = []
        if os.path.exists(folder):
            shutil.rmtree(folder)
        os.makedirs(folder)
        self.git("init", "--quiet")
        # Automatic gc would repack at arbitrary commits; the benchmark runs gc itself.
        self.git("config", "gc.auto", "0")
        self.git("config", "user.name", "Docket benchmark")
        self.git("config", "user.email", "bench@docket.invalid")

    def git(self, *arguments, environment=None):
        return subprocess.run(["git", "-C", self.folder, *arguments], check=True, capture_output=True, text=True,
                              env=environment).stdout

    def commit_snapshot(self, snapshot):
        """Write the changed files of `snapshot`, delete the removed ones, and commit them,
        dated as the snapshot. Returns the number of files written and deleted."""
        files = self.reader.files(snapshot["tree"])
        removed = [path for path in self.files if path not in files]
        for path in removed:
            os.remove(os.path.join(self.folder, path))
        written = 0
        for path, digest in files.items():
            if self.files.get(path) == digest:
                continue
            target = os.path.join(self.folder, path)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as handle:
                handle.write(pretty_json(self.store.object_bytes(digest)))
            written += 1
        self.files = files
        environment = dict(os.environ, GIT_AUTHOR_DATE=snapshot["captured_at"], GIT_COMMITTER_DATE=snapshot["captured_at"])
        self.git("add", "--all")
        self.git("commit", "--quiet", "--allow-empty", "--message", "snapshot %s" % snapshot["captured_at"],
                 environment=environment)
        self.commits.append(self.git("rev-parse", "HEAD").strip())
        return written, len(removed)

    def gc_size(self):
        """Run `git gc` and return the size of `.git` in bytes."""
        self.git("gc", "--quiet")
        return directory_size(os.path.join(self.folder, ".git"))
