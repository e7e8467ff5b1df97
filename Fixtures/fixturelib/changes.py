"""Compute, apply and describe the differences between two fixture days.

A day is a {path: body} map. A change list turns one day into the next with these
operations (each a JSON object with "op" and "path"):

    put          {"body"}                    create or replace the whole body
    delete       {}                          remove the path (requests then get 404)
    patch        {"set", "unset"}            edit fields inside an object body
    item_put     {"key", "body", "index"}    replace the list item with that key, or insert it at index
    item_delete  {"key"}                     remove the list item with that key
    item_patch   {"key", "set", "unset"}     edit fields inside one list item
    order        {"field", "values"}         reorder list items to the given key values

"key" is [field, value], for example ["id", "5f0c..."]. "set" is a list of
[pointer, value] pairs and "unset" a list of pointers. A pointer is a list of
segments: a string selects an object member, an integer a list index, and
{"name": X} the list element whose "name" member equals X (used for the data API
`info` rows, so that a changed "Data Size" row is one small edit).
"""

import copy

KEY_FIELDS = ("id", "uuid")


def list_key_field(items):
    """Return the member that identifies items of this list, or None if there is none."""
    if not items or not all(isinstance(item, dict) for item in items):
        return None
    for field in KEY_FIELDS:
        values = [item.get(field) for item in items]
        if all(value is not None for value in values) and len(set(map(str, values))) == len(values):
            return field
    return None


def _named_list(old, new):
    """Return True when two lists are the same sequence of objects identified by "name"."""
    if len(old) != len(new) or not old:
        return False
    for a, b in zip(old, new):
        if not (isinstance(a, dict) and isinstance(b, dict)):
            return False
        if "name" not in a or a.get("name") != b.get("name"):
            return False
    names = [a["name"] for a in old]
    return len(set(map(str, names))) == len(names)


def diff_value(old, new, pointer, sets, unsets):
    """Append to sets/unsets the edits that turn `old` into `new` below `pointer`."""
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key, value in new.items():
            if key not in old:
                sets.append([pointer + [key], copy.deepcopy(value)])
            else:
                diff_value(old[key], value, pointer + [key], sets, unsets)
        for key in old:
            if key not in new:
                unsets.append(pointer + [key])
        return
    if isinstance(old, list) and isinstance(new, list) and _named_list(old, new):
        for a, b in zip(old, new):
            diff_value(a, b, pointer + [{"name": a["name"]}], sets, unsets)
        return
    sets.append([pointer, copy.deepcopy(new)])


def diff_list(path, old, new):
    """Return the operations that turn list body `old` into `new`."""
    field = list_key_field(old) if old else list_key_field(new)
    if field is None or (new and list_key_field(new) != field):
        return [{"op": "put", "path": path, "body": copy.deepcopy(new)}]
    ops = []
    old_by_key = {str(item[field]): item for item in old}
    new_keys = {str(item[field]) for item in new}
    for item in old:
        if str(item[field]) not in new_keys:
            ops.append({"op": "item_delete", "path": path, "key": [field, item[field]]})
    for index, item in enumerate(new):
        previous = old_by_key.get(str(item[field]))
        if previous is None:
            ops.append({"op": "item_put", "path": path, "key": [field, item[field]],
                        "body": copy.deepcopy(item), "index": index})
        elif previous != item:
            sets, unsets = [], []
            diff_value(previous, item, [], sets, unsets)
            op = {"op": "item_patch", "path": path, "key": [field, item[field]], "set": sets}
            if unsets:
                op["unset"] = unsets
            ops.append(op)
    # Replay the deletions and insertions on the keys alone to see whether an order op is needed.
    simulated = [str(item[field]) for item in old if str(item[field]) in new_keys]
    for op in ops:
        if op["op"] == "item_put":
            simulated.insert(min(op["index"], len(simulated)), str(op["key"][1]))
    if simulated != [str(item[field]) for item in new]:
        ops.append({"op": "order", "path": path, "field": field, "values": [item[field] for item in new]})
    return ops


def diff_files(old_files, new_files):
    """Return the operations that turn day `old_files` into day `new_files`."""
    ops = []
    for path in sorted(old_files):
        if path not in new_files:
            ops.append({"op": "delete", "path": path})
    for path in sorted(new_files):
        new = new_files[path]
        if path not in old_files:
            ops.append({"op": "put", "path": path, "body": copy.deepcopy(new)})
            continue
        old = old_files[path]
        if old == new:
            continue
        if isinstance(old, list) and isinstance(new, list):
            ops.extend(diff_list(path, old, new))
        elif isinstance(old, dict) and isinstance(new, dict):
            sets, unsets = [], []
            diff_value(old, new, [], sets, unsets)
            op = {"op": "patch", "path": path, "set": sets}
            if unsets:
                op["unset"] = unsets
            ops.append(op)
        else:
            ops.append({"op": "put", "path": path, "body": copy.deepcopy(new)})
    return ops


# ----- applying -------------------------------------------------------------


def _step(container, segment):
    if isinstance(segment, dict):
        for element in container:
            if isinstance(element, dict) and element.get("name") == segment["name"]:
                return element
        raise KeyError("no list element named %r" % segment["name"])
    return container[segment]


def _set(target, pointer, value):
    if not pointer:
        raise ValueError("cannot set an empty pointer")
    for segment in pointer[:-1]:
        target = _step(target, segment)
    last = pointer[-1]
    if isinstance(last, dict):
        for index, element in enumerate(target):
            if isinstance(element, dict) and element.get("name") == last["name"]:
                target[index] = copy.deepcopy(value)
                return
        raise KeyError("no list element named %r" % last["name"])
    target[last] = copy.deepcopy(value)


def _unset(target, pointer):
    for segment in pointer[:-1]:
        target = _step(target, segment)
    del target[pointer[-1]]


def _edit(target, op):
    for pointer, value in op.get("set", []):
        if not pointer:
            raise ValueError("patch with an empty pointer; use put")
        _set(target, pointer, value)
    for pointer in op.get("unset", []):
        _unset(target, pointer)


def _find(items, key):
    field, value = key
    for index, item in enumerate(items):
        if str(item.get(field)) == str(value):
            return index
    return None


def apply_op(files, op):
    """Apply one operation to a {path: body} map, changing the bodies in place."""
    kind = op["op"]
    path = op["path"]
    if kind == "put":
        files[path] = copy.deepcopy(op["body"])
    elif kind == "delete":
        files.pop(path, None)
    elif kind == "patch":
        _edit(files[path], op)
    elif kind == "item_put":
        items = files[path]
        index = _find(items, op["key"])
        if index is None:
            items.insert(min(op.get("index", len(items)), len(items)), copy.deepcopy(op["body"]))
        else:
            items[index] = copy.deepcopy(op["body"])
    elif kind == "item_delete":
        items = files[path]
        index = _find(items, op["key"])
        if index is not None:
            del items[index]
    elif kind == "item_patch":
        items = files[path]
        index = _find(items, op["key"])
        if index is None:
            raise KeyError("%s has no item %s=%s" % (path, op["key"][0], op["key"][1]))
        _edit(items[index], op)
    elif kind == "order":
        items = files[path]
        field = op["field"]
        by_key = {str(item[field]): item for item in items}
        ordered = [by_key.pop(str(value)) for value in op["values"] if str(value) in by_key]
        items[:] = ordered + list(by_key.values())
    else:
        raise ValueError("unknown change operation %r" % kind)


def apply_ops(files, ops):
    for op in ops:
        apply_op(files, op)


# ----- describing -----------------------------------------------------------


def _short(value):
    text = value if isinstance(value, str) else repr(value)
    if isinstance(value, (dict, list)):
        import json
        text = json.dumps(value, sort_keys=True)
    text = text.replace("\n", "\\n")
    if len(text) > 90:
        return text[:60] + "... (%d characters)" % len(text)
    return text


def _pointer_text(pointer):
    parts = []
    for segment in pointer:
        if isinstance(segment, dict):
            parts.append('[name="%s"]' % segment["name"])
        elif isinstance(segment, int):
            parts.append("[%d]" % segment)
        else:
            parts.append(("." if parts else "") + segment)
    return "".join(parts) or "(whole body)"


def item_label(item):
    """Return a short human label for a list item (hostname, email, name or id)."""
    if not isinstance(item, dict):
        return _short(item)
    for field in ("hostname", "email", "name", "type", "version", "num"):
        if item.get(field) not in (None, ""):
            label = "%s=%s" % (field, item[field])
            break
    else:
        label = ""
    if isinstance(item.get("user"), dict) and item["user"].get("email"):
        label = "user=%s" % item["user"]["email"]
    key = item.get("id") or item.get("uuid")
    return ("%s (%s)" % (label, key) if label else str(key)).strip()


def _resolve(body, pointer):
    for segment in pointer:
        body = _step(body, segment)
    return body


def describe(old_files, new_files):
    """Return human-readable lines listing every difference between two days."""
    lines = []
    for op in diff_files(old_files, new_files):
        path = op["path"]
        kind = op["op"]
        old = old_files.get(path)
        if kind == "delete":
            lines.append("%s: removed (now answers 404)" % path)
        elif kind == "put" and old is None:
            lines.append("%s: added" % path)
        elif kind == "put":
            lines.append("%s: replaced: %s -> %s" % (path, _short(old), _short(op["body"])))
        elif kind == "patch":
            for pointer, value in op["set"]:
                try:
                    before = _short(_resolve(old, pointer))
                except (KeyError, IndexError, TypeError):
                    before = "(absent)"
                lines.append("%s: %s: %s -> %s" % (path, _pointer_text(pointer), before, _short(value)))
            for pointer in op.get("unset", []):
                lines.append("%s: %s: removed" % (path, _pointer_text(pointer)))
        elif kind == "item_put":
            lines.append("%s: item added: %s" % (path, item_label(op["body"])))
        elif kind == "item_delete":
            index = _find(old, op["key"])
            lines.append("%s: item removed: %s" % (path, item_label(old[index])))
        elif kind == "item_patch":
            item = old[_find(old, op["key"])]
            for pointer, value in op["set"]:
                try:
                    before = _short(_resolve(item, pointer))
                except (KeyError, IndexError, TypeError):
                    before = "(absent)"
                lines.append("%s: item %s: %s: %s -> %s" % (
                    path, item_label(item), _pointer_text(pointer), before, _short(value)))
            for pointer in op.get("unset", []):
                lines.append("%s: item %s: %s: removed" % (path, item_label(item), _pointer_text(pointer)))
        elif kind == "order":
            lines.append("%s: items reordered" % path)
    return lines


_REMOVED = object()


def _shallow(value):
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    return value


def _cow_set(container, pointer, value):
    """Set `value` at `pointer` below a private container, copying each container on the way."""
    for segment in pointer[:-1]:
        if isinstance(segment, dict):
            index = next(i for i, element in enumerate(container)
                         if isinstance(element, dict) and element.get("name") == segment["name"])
        else:
            index = segment
        child = _shallow(container[index])
        container[index] = child
        container = child
    last = pointer[-1]
    if isinstance(last, dict):
        last = next(i for i, element in enumerate(container)
                    if isinstance(element, dict) and element.get("name") == last["name"])
    container[last] = value


def _cow_unset(container, pointer):
    for segment in pointer[:-1]:
        index = segment
        if isinstance(segment, dict):
            index = next(i for i, element in enumerate(container)
                         if isinstance(element, dict) and element.get("name") == segment["name"])
        child = _shallow(container[index])
        container[index] = child
        container = child
    del container[pointer[-1]]


def _cow_edit(target, op, copy_value):
    for pointer, value in op.get("set", []):
        if not pointer:
            raise ValueError("patch with an empty pointer; use put")
        _cow_set(target, pointer, copy_value(value))
    for pointer in op.get("unset", []):
        _cow_unset(target, pointer)


def apply_day(files, ops, copy_values=True):
    """Return a new {path: body} map with `ops` applied, leaving `files` unchanged.

    Unchanged bodies, list items and nested values are shared with `files`. Only the
    containers on the way to an edit are copied, so stepping a 50,000-path day forward
    costs about as much as the edits themselves. Pass copy_values=False when `ops` was
    parsed for this call alone, so that its values can be stored without copying.
    """
    copy_value = copy.deepcopy if copy_values else (lambda value: value)
    result = dict(files)
    private = set()  # paths whose top-level container was copied for this day
    indexes = {}  # path -> (key field, {key: index}); dropped when positions shift
    holes = set()  # paths of lists where deleted items are left as _REMOVED until compact()

    def private_body(path):
        if path not in private:
            result[path] = _shallow(result[path])
            private.add(path)
        return result[path]

    def lookup(path, key):
        field, value = key
        cached = indexes.get(path)
        if cached is None or cached[0] != field:
            cached = (field, {str(item.get(field)): i for i, item in enumerate(result[path]) if isinstance(item, dict)})
            indexes[path] = cached
        return cached[1].get(str(value))

    def compact(path):
        if path in holes:
            result[path][:] = [item for item in result[path] if item is not _REMOVED]
            holes.discard(path)
            indexes.pop(path, None)

    for op in ops:
        kind = op["op"]
        path = op["path"]
        if kind == "put":
            result[path] = copy_value(op["body"])
            private.add(path)
            indexes.pop(path, None)
            holes.discard(path)
        elif kind == "delete":
            result.pop(path, None)
            private.discard(path)
            indexes.pop(path, None)
            holes.discard(path)
        elif kind == "patch":
            _cow_edit(private_body(path), op, copy_value)
        elif kind == "item_patch":
            items = private_body(path)
            index = lookup(path, op["key"])
            if index is None:
                raise KeyError("%s has no item %s=%s" % (path, op["key"][0], op["key"][1]))
            items[index] = _shallow(items[index])
            _cow_edit(items[index], op, copy_value)
        elif kind == "item_put":
            items = private_body(path)
            index = lookup(path, op["key"])
            if index is not None:
                items[index] = copy_value(op["body"])
                continue
            compact(path)
            position = op.get("index", len(items))
            if position >= len(items):
                items.append(copy_value(op["body"]))
                cached = indexes.get(path)
                if cached is not None and cached[0] == op["key"][0]:
                    cached[1][str(op["key"][1])] = len(items) - 1
            else:
                items.insert(position, copy_value(op["body"]))
                indexes.pop(path, None)
        elif kind == "item_delete":
            items = private_body(path)
            index = lookup(path, op["key"])
            if index is not None:
                # Leave a placeholder so the cached positions stay valid; compact() removes it.
                items[index] = _REMOVED
                indexes[path][1].pop(str(op["key"][1]), None)
                holes.add(path)
        elif kind == "order":
            private_body(path)
            compact(path)
            apply_op(result, op)
            indexes.pop(path, None)
        else:
            raise ValueError("unknown change operation %r" % kind)
    for path in list(holes):
        compact(path)
    return result
