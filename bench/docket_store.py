"""Read a Docket store with the Python standard library, for the benchmark's baselines.

The benchmark exports each snapshot as the JSON tree a git user would commit. It reads the
store directly instead of running `docket show` once per resource, which would take hours
for a large account. This module follows the store layout that
Sources/DocketKit/Store/SnapshotStore.swift, SnapshotTree.swift and
SnapshotStore+ObjectEncoding.swift define:

- `snapshots(digest, captured_at, header)`: the header is canonical JSON with `tree`, the
  root tree digest;
- `object_keys(prefix, id)` maps the first 8 bytes of each SHA-256 to the rows of
  `objects(id, base, depth, body)` whose digests start with them; the object is the row
  whose canonical bytes hash to the whole digest (stores before schema 5 have
  `object_digests(digest, id)`, keyed by all 32 bytes, instead). A body is canonical JSON,
  or a deflate stream of it, deflated against the canonical bytes of the object in row
  `base` when that is set. The stream is one of:
  - byte 0x02 and a raw deflate stream of the bytes with their digests packed (see
    `pack_digests`), deflated against the base's bytes packed the same way, as Docket writes
    since schema 5 (DigestPacking.swift);
  - byte 0x01 and a raw deflate stream of the bytes as they are (schema 4, and later for
    bytes with a 0x00 byte);
  - a zlib stream, whose first byte is 0x78 (schema 3 and earlier);
  - byte 0x03 and a copy delta (schema 6, CopyDelta.swift) that turns the base's bytes, with
    their digests packed, into the object's bytes packed: instructions 0x01-0x7F insert that
    many bytes that follow, and 0x80 copies a run of the base given by two LEB128 numbers,
    offset and length (see `apply_copy_delta`);
- root tree `{"kinds": {kind: tree}}`; a kind tree is `{"entries": [...]}` or
  `{"buckets": {prefix: leaf}}`, and each entry has `key`, `name`, `digest`, and optionally
  `parent` and `app`.
"""

import hashlib
import json
import re
import sqlite3
import zlib

RAW_DEFLATE_MARKER = 0x01
DIGEST_PACKED_MARKER = 0x02
COPY_DELTA_MARKER = 0x03
COPY_INSTRUCTION = 0x80
ZLIB_MARKER = 0x78

QUOTED_DIGEST = re.compile(rb'"([0-9a-f]{64})"')
DIGEST_MARKER = b"\x00"
PACKED_DIGEST_LENGTH = 33


def pack_digests(data):
    """Replace each `"` + 64 lowercase hex digits + `"` by 0x00 and the 32 bytes they encode.

    The scan runs left to right without overlaps, as DigestPacking.pack does. A dictionary is
    packed the same way whether or not it contains 0x00 bytes.
    """
    return QUOTED_DIGEST.sub(lambda match: DIGEST_MARKER + bytes.fromhex(match.group(1).decode()), data)


def unpack_digests(data):
    """Replace each 0x00 byte and the 32 bytes after it by the quoted lowercase hex digest.

    Raises ValueError when a 0x00 byte has fewer than 32 bytes after it.
    """
    parts = []
    position = 0
    while True:
        marker = data.find(DIGEST_MARKER, position)
        if marker < 0:
            parts.append(data[position:])
            return b"".join(parts)
        if len(data) - marker < PACKED_DIGEST_LENGTH:
            raise ValueError("the packed digest at byte %d has %d of its 32 bytes" % (marker, len(data) - marker - 1))
        parts.append(data[position:marker])
        parts.append(b'"' + data[marker + 1:marker + PACKED_DIGEST_LENGTH].hex().encode() + b'"')
        position = marker + PACKED_DIGEST_LENGTH


def read_leb128(data, position):
    """Return the unsigned LEB128 number at `position` and the position after it."""
    value = 0
    shift = 0
    while position < len(data) and shift < 63:
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, position
        shift += 7
    raise ValueError("a copy instruction ends inside a number")


def apply_copy_delta(instructions, base):
    """Return the bytes that copy-delta `instructions` build from `base`.

    Raises ValueError when an instruction is invalid, cut off or copies from outside `base`.
    """
    output = bytearray()
    position = 0
    while position < len(instructions):
        instruction = instructions[position]
        position += 1
        if instruction == COPY_INSTRUCTION:
            offset, position = read_leb128(instructions, position)
            length, position = read_leb128(instructions, position)
            if length == 0 or offset + length > len(base):
                raise ValueError("a copy of %d bytes from offset %d lies outside its %d-byte base" % (length, offset, len(base)))
            output += base[offset:offset + length]
        elif 1 <= instruction <= 0x7F:
            if position + instruction > len(instructions):
                raise ValueError("an insert of %d bytes runs past the end of the delta" % instruction)
            output += instructions[position:position + instruction]
            position += instruction
        else:
            raise ValueError("invalid instruction byte %d at offset %d" % (instruction, position - 1))
    return bytes(output)


class DocketStore:
    """Read-only access to the snapshots and objects of one store file."""

    def __init__(self, path):
        self.connection = sqlite3.connect(path)
        # Recently inflated objects by id: a version's base is usually the one read the
        # day before.
        self.recent = {}
        self.prefix_index = None

    def close(self):
        self.connection.close()

    def snapshots(self):
        """Return every snapshot, oldest first, as dicts with digest, captured_at and tree."""
        rows = self.connection.execute("SELECT digest, header FROM snapshots ORDER BY captured_at, id").fetchall()
        result = []
        for digest, header in rows:
            fields = json.loads(header)
            result.append({"digest": digest, "captured_at": fields["captured_at"], "tree": fields["tree"]})
        return result

    def object_bytes(self, digest):
        """Return the canonical bytes of object `digest`, decompressed."""
        key = bytes.fromhex(digest)
        if self._has_prefix_index():
            query = "SELECT o.id, o.body, o.base FROM object_keys k JOIN objects o ON o.id = k.id WHERE k.prefix = ?"
            key = key[:8]
        else:
            query = "SELECT o.id, o.body, o.base FROM object_digests d JOIN objects o ON o.id = d.id WHERE d.digest = ?"
        rows = self.connection.execute(query, (key,)).fetchall()
        for row in rows:
            canonical = self._decode(*row)
            if hashlib.sha256(canonical).hexdigest() == digest:
                return canonical
        if rows:
            raise ValueError("object %s no longer matches its digest; run `docket check`" % digest)
        raise KeyError("object %s is missing from the store" % digest)

    def _has_prefix_index(self):
        if self.prefix_index is None:
            row = self.connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'object_keys'").fetchone()
            self.prefix_index = row is not None
        return self.prefix_index

    def _object_bytes_by_id(self, object_id):
        if object_id in self.recent:
            return self.recent[object_id]
        row = self.connection.execute("SELECT id, body, base FROM objects WHERE id = ?", (object_id,)).fetchone()
        if row is None:
            raise KeyError("object row %d is missing from the store" % object_id)
        canonical = self._decode(*row)
        if len(self.recent) >= 50000:
            self.recent.clear()
        self.recent[object_id] = canonical
        return canonical

    def _decode(self, object_id, body, base):
        body = bytes(body)
        if not body or body[0] not in (RAW_DEFLATE_MARKER, DIGEST_PACKED_MARKER, ZLIB_MARKER, COPY_DELTA_MARKER):
            return body
        marker = body[0]
        if marker == COPY_DELTA_MARKER:
            if base is None:
                raise ValueError("object row %d is a copy delta without a base" % object_id)
            try:
                return unpack_digests(apply_copy_delta(body[1:], pack_digests(self._object_bytes_by_id(base))))
            except ValueError as error:
                raise ValueError("the copy delta in object row %d does not apply to its base: %s" % (object_id, error)) from None
        options = {}
        if base is not None:
            dictionary = self._object_bytes_by_id(base)
            options["zdict"] = pack_digests(dictionary) if marker == DIGEST_PACKED_MARKER else dictionary
        if marker == ZLIB_MARKER:
            inflater = zlib.decompressobj(**options)
        else:
            inflater = zlib.decompressobj(-zlib.MAX_WBITS, **options)
            body = body[1:]
        inflated = inflater.decompress(body) + inflater.flush()
        if marker == DIGEST_PACKED_MARKER:
            try:
                return unpack_digests(inflated)
            except ValueError as error:
                raise ValueError("object row %d cannot be unpacked: %s" % (object_id, error)) from None
        return inflated

    def object(self, digest):
        return json.loads(self.object_bytes(digest))

    def kind_trees(self, root):
        """Return {kind: kind tree digest} of a root tree."""
        return self.object(root)["kinds"]

    def leaves(self, kind_tree):
        """Return the leaf digests of a kind tree: its buckets' leaves, or itself."""
        tree = self.object(kind_tree)
        if "buckets" in tree:
            return list(tree["buckets"].values())
        return [kind_tree]

    def leaf_entries(self, leaf):
        return self.object(leaf)["entries"]


def safe_file_stem(name):
    """Mirror BagLayout.safeFileStem: ASCII letters, digits and `._-@+` kept, others `_`."""
    stem = "".join(ch if ch.isascii() and (ch.isalpha() or ch.isdigit() or ch in "._-@+") else "_" for ch in name)
    while stem.startswith("."):
        stem = "_" + stem[1:]
    return (stem or "_")[:80]


def resource_file_names(entries):
    """Mirror BagLayout.resourceFileNames: `<name>.json`, or `<name>~<8 hex of SHA-256(key)>.json`
    for names that several resources of the kind share once made safe (case-insensitively)."""
    stems = [safe_file_stem(entry["name"]) for entry in entries]
    counts = {}
    for stem in stems:
        counts[stem.lower()] = counts.get(stem.lower(), 0) + 1
    names = []
    for entry, stem in zip(entries, stems):
        if counts[stem.lower()] == 1:
            names.append(stem + ".json")
        else:
            names.append("%s~%s.json" % (stem, hashlib.sha256(entry["key"].encode()).hexdigest()[:8]))
    return names


def pretty_json(canonical_bytes):
    """Render canonical JSON as Docket's PrettyJSON does: sorted keys, 2-space indent, final newline."""
    value = json.loads(canonical_bytes)
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


class TreeReader:
    """Lists the files of successive snapshots as `<kind>/<file name>` -> object digest.

    It keeps the last snapshot's kind trees and leaves, so a call reads only the kind trees
    and leaves that changed since the previous call.
    """

    def __init__(self, store):
        self.store = store
        self.kinds = {}  # kind -> (kind tree digest, {leaf digest: entries}, {path: object digest})

    def files(self, root):
        kinds = {}
        result = {}
        for kind, kind_tree in self.store.kind_trees(root).items():
            cached = self.kinds.get(kind)
            if cached is None or cached[0] != kind_tree:
                old_leaves = cached[1] if cached else {}
                cached = self.read_kind(kind, kind_tree, old_leaves)
            kinds[kind] = cached
            result.update(cached[2])
        self.kinds = kinds
        return result

    def read_kind(self, kind, kind_tree, old_leaves):
        leaves = {}
        entries = []
        for leaf in self.store.leaves(kind_tree):
            leaf_entries = old_leaves.get(leaf)
            if leaf_entries is None:
                leaf_entries = self.store.leaf_entries(leaf)
            leaves[leaf] = leaf_entries
            entries.extend(leaf_entries)
        entries.sort(key=lambda entry: entry["key"])
        names = resource_file_names(entries)
        files = {"%s/%s" % (kind, name): entry["digest"] for name, entry in zip(names, entries)}
        return kind_tree, leaves, files
