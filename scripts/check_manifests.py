#!/usr/bin/env python3
"""Verifies a sealed dataset version the way an ML engineer would load it: pyarrow, DuckDB and tarfile.

Run it through scripts/check-manifests, which provides a virtualenv with pyarrow and duckdb.
Exit status: 0 when every check passes, 1 when a check fails, 2 when the version cannot be checked at all
(bad arguments, missing LATEST or version file).
"""
import argparse
import hashlib
import json
import os
import re
import sys
import tarfile

FRAME_COLUMNS = ["key", "clip_id", "donor_pseudonym", "ts_ms", "shard", "jpg_sha256", "width", "height"]
CLIP_COLUMNS = ["clip_id", "decision", "reason", "frames_written", "duration_s"]
DECISIONS = ("accepted", "duplicate", "rejected", "quarantined")
KINDS = ("frames", "frame_manifest", "clip_manifest")
MAX_LISTED = 20          # failures / table rows printed per item before "... N more"


class Unusable(Exception):
    """The version cannot be checked at all (exit 2)."""


class Checker:
    def __init__(self, forbid):
        self.forbid = forbid
        self.parent_paths = set()
        self.failures = []

    def fail(self, msg):
        self.failures.append(msg)


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="check-manifests",
        description="Verify a sealed dataset version with pyarrow, DuckDB and tarfile: file sizes and sha256, "
                    "Parquet manifests, decision counts, frames per clip, WebDataset shards against their "
                    "manifests, and (with --forbid) that a given text appears nowhere.")
    p.add_argument("--warehouse", default="./warehouse", help="warehouse directory (default: ./warehouse)")
    p.add_argument("--dataset", default="clips", help="dataset name (default: clips)")
    p.add_argument("--version", default=None, metavar="vNNNNNN",
                   help="version to check (default: the one named in <warehouse>/<dataset>/LATEST)")
    p.add_argument("--forbid", default=None, metavar="TEXT",
                   help="fail if TEXT occurs in any Parquet column value, column name or metadata, any tar "
                        ".json member, the version file, or the raw bytes of any listed file")
    args = p.parse_args(argv)
    if args.forbid is not None and args.forbid == "":
        p.error("--forbid needs a non-empty TEXT")
    if args.version is not None and not re.fullmatch(r"v\d{6}", args.version):
        p.error(f"--version must look like v000001, not {args.version!r}")
    return args


# ---------------------------------------------------------------------------------------------- version file

def load_version(args):
    dataset_dir = os.path.join(args.warehouse, args.dataset)
    if not os.path.isdir(dataset_dir):
        raise Unusable(f"no dataset directory {dataset_dir}")
    name = args.version
    if name is None:
        latest = os.path.join(dataset_dir, "LATEST")
        if not os.path.isfile(latest):
            raise Unusable(f"{latest} does not exist: no version has been sealed (or pass --version)")
        with open(latest, encoding="utf-8") as f:
            name = f.read().strip()
        if not re.fullmatch(r"v\d{6}", name):
            raise Unusable(f"{latest} names {name!r}, which is not a version name like v000001")
    vfile = os.path.join(dataset_dir, "versions", name + ".json")
    if not os.path.isfile(vfile):
        raise Unusable(f"version file {vfile} does not exist")
    with open(vfile, "rb") as f:
        raw = f.read()
    try:
        doc = json.loads(raw)
    except ValueError as e:
        raise Unusable(f"{vfile} is not valid JSON: {e}")
    return dataset_dir, name, vfile, raw, doc


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_version_doc(ck, dataset_dir, name, vfile, raw, doc):
    for k in ("version", "name", "parent", "parent_sha256", "counts", "files"):
        if k not in doc:
            ck.fail(f"{vfile}: key {k!r} is missing")
    if doc.get("name") != name:
        ck.fail(f"{vfile}: name is {doc.get('name')!r}, expected {name!r}")
    if doc.get("version") != int(name[1:]):
        ck.fail(f"{vfile}: version is {doc.get('version')!r}, expected {int(name[1:])}")
    if not isinstance(doc.get("files"), list):
        raise Unusable(f"{vfile}: 'files' is not an array")
    if ck.forbid is not None:
        if ck.forbid.encode("utf-8") in raw or ck.forbid in json.dumps(doc, ensure_ascii=False):
            ck.fail(f"{vfile}: contains the forbidden text")

    parent, parent_sha = doc.get("parent"), doc.get("parent_sha256")
    ck.parent_paths = set()
    if parent is None:
        if parent_sha is not None:
            ck.fail(f"{vfile}: parent is null but parent_sha256 is {parent_sha!r}")
        return
    pfile = os.path.join(dataset_dir, "versions", f"{parent}.json")
    if not os.path.isfile(pfile):
        ck.fail(f"{vfile}: parent version file {pfile} does not exist")
        return
    actual = sha256_file(pfile)
    if actual != parent_sha:
        ck.fail(f"{vfile}: parent_sha256 {parent_sha} does not match {pfile} (sha256 {actual})")
    try:
        with open(pfile, "rb") as f:
            pdoc = json.load(f)
    except ValueError as e:
        ck.fail(f"{pfile} is not valid JSON: {e}")
        return
    ck.parent_paths = {f.get("path") for f in pdoc.get("files", []) if isinstance(f, dict)}
    mine = {(f.get("path"), f.get("sha256")) for f in doc["files"] if isinstance(f, dict)}
    # a purge version leaves out the parent's files that held revoked donors (listed in purge.files_removed)
    removed = set((doc.get("purge") or {}).get("files_removed") or [])
    lost = [f.get("path") for f in pdoc.get("files", [])
            if (f.get("path"), f.get("sha256")) not in mine and f.get("path") not in removed]
    if lost:
        ck.fail(f"{vfile}: {len(lost)} file(s) of parent {parent} are missing or changed: {lost[:5]}")


# --------------------------------------------------------------------------------- (1) files: size, sha256

def check_files(ck, dataset_dir, files):
    """Checks every entry's size and sha256 (and greps the raw bytes for --forbid). Returns usable entries."""
    print(f"== files: {len(files)} listed ==")
    entries, seen = [], set()
    needle = ck.forbid.encode("utf-8") if ck.forbid is not None else None
    for i, e in enumerate(files):
        if not isinstance(e, dict):
            ck.fail(f"files[{i}] is not an object")
            continue
        rel, kind = e.get("path"), e.get("kind")
        where = f"files[{i}] {rel!r}"
        missing = [k for k in ("path", "kind", "size", "sha256", "rows") if k not in e]
        if missing:
            ck.fail(f"{where}: missing keys {missing}")
            if "path" in missing:
                continue
        if not isinstance(rel, str) or rel.startswith("/") or ".." in rel.split("/") or rel == "":
            ck.fail(f"{where}: path must be relative to the dataset directory, without '..'")
            continue
        if rel in seen:
            ck.fail(f"{where}: listed twice")
            continue
        seen.add(rel)
        if kind not in KINDS:
            print(f"  note: {rel} has kind {kind!r}, which this script only checks for size and sha256")
        path = os.path.join(dataset_dir, rel)
        if not os.path.isfile(path):
            ck.fail(f"{where}: file {path} does not exist")
            continue
        size = os.path.getsize(path)
        if size != e.get("size"):
            ck.fail(f"{where}: size is {size}, version file says {e.get('size')}")
        h, tail, found = hashlib.sha256(), b"", False
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
                if needle is not None and not found:
                    found = needle in tail + chunk
                    tail = (tail + chunk)[-(len(needle) - 1):] if len(needle) > 1 else b""
        if h.hexdigest() != e.get("sha256"):
            ck.fail(f"{where}: sha256 is {h.hexdigest()}, version file says {e.get('sha256')}")
        if found:
            ck.fail(f"{where}: raw bytes contain the forbidden text")
        entries.append(dict(e, abspath=os.path.abspath(path)))
    by_kind = {k: sum(1 for e in entries if e.get("kind") == k) for k in KINDS}
    print(f"  checked size and sha256 of {len(entries)} file(s): {by_kind['frames']} shard(s), "
          f"{by_kind['frame_manifest']} frame manifest(s), {by_kind['clip_manifest']} clip manifest(s)")
    return entries


# ------------------------------------------------------------------------------------ (2) Parquet manifests

def column_contains(col, text):
    import pyarrow as pa
    import pyarrow.compute as pc
    t = col.type
    if pa.types.is_dictionary(t):
        col = col.cast(t.value_type)
        t = t.value_type
    if pa.types.is_null(t):
        return False
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_binary(t) or pa.types.is_large_binary(t):
        return bool(pc.any(pc.match_substring(col, text)).as_py())
    try:
        return bool(pc.any(pc.match_substring(col.cast(pa.string()), text)).as_py())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return any(text in repr(v) for v in col.to_pylist())


def check_manifests(ck, entries):
    import pyarrow.parquet as pq
    print("== parquet manifests (pyarrow) ==")
    tables, schemas = {}, {}
    for e in entries:
        kind = e.get("kind")
        if kind not in ("frame_manifest", "clip_manifest"):
            continue
        rel = e["path"]
        try:
            pf = pq.ParquetFile(e["abspath"])
            table = pf.read()
        except Exception as ex:  # noqa: BLE001 - any read error is a failed check
            ck.fail(f"{rel}: pyarrow cannot read it: {ex}")
            continue
        print(f"  {rel}: {table.num_rows} rows ({kind})")
        if table.num_rows != pf.metadata.num_rows:
            ck.fail(f"{rel}: read {table.num_rows} rows but the footer says {pf.metadata.num_rows}")
        if table.num_rows != e.get("rows"):
            ck.fail(f"{rel}: has {table.num_rows} rows, version file says {e.get('rows')}")
        required = FRAME_COLUMNS if kind == "frame_manifest" else CLIP_COLUMNS
        absent = [c for c in required if c not in table.column_names]
        if absent:
            ck.fail(f"{rel}: columns {absent} are missing")
        schemas.setdefault((kind, tuple(table.column_names)), []).append(rel)
        if ck.forbid is not None:
            hits = [n for n in table.column_names if ck.forbid in n]
            hits += [n for n in table.column_names if column_contains(table.column(n), ck.forbid)]
            meta = table.schema.metadata or {}
            if any(ck.forbid.encode("utf-8") in k + v for k, v in meta.items()):
                hits.append("<schema metadata>")
            if hits:
                ck.fail(f"{rel}: the forbidden text occurs in {sorted(set(hits))}")
        if not absent:
            tables[rel] = table
    for (kind, cols), rels in sorted(schemas.items()):
        print(f"  {kind} columns ({len(rels)} file(s)): {', '.join(cols)}")
    return tables


# --------------------------------------------------------------------------------------------- (3) DuckDB

def sql_list(paths):
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


def print_rows(header, rows, limit=MAX_LISTED):
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows[:limit])) if rows else len(str(h))
              for i, h in enumerate(header)]
    fmt = "  " + "  ".join("{:<%d}" % w for w in widths)
    print(fmt.format(*header))
    for r in rows[:limit]:
        print(fmt.format(*("NULL" if v is None else v for v in r)))
    if len(rows) > limit:
        print(f"  ... {len(rows) - limit} more")


def check_sql(ck, doc, entries, tables):
    import duckdb
    import pyarrow as pa
    print("== DuckDB ==")
    con = duckdb.connect()
    usable = [e for e in entries if e["path"] in tables]
    files_tbl = pa.table({"abspath": [e["abspath"] for e in usable],
                          "rel": [e["path"] for e in usable],
                          "build_id": [str(e.get("build_id")) for e in usable],
                          # added by this version (a streaming run seals several versions of one build)
                          "is_new": [e["path"] not in getattr(ck, "parent_paths", set()) for e in usable]})
    con.register("version_files", files_tbl)
    frames = [e["abspath"] for e in usable if e["kind"] == "frame_manifest"]
    clips = [e["abspath"] for e in usable if e["kind"] == "clip_manifest"]
    if frames:
        con.execute(f"""CREATE TEMP TABLE frames AS
            SELECT m.*, v.build_id AS file_build_id, v.is_new AS file_is_new, v.rel AS file
            FROM read_parquet({sql_list(frames)}, filename = true, union_by_name = true) m
            JOIN version_files v ON m.filename = v.abspath""")
    else:
        con.execute("""CREATE TEMP TABLE frames (key VARCHAR, clip_id VARCHAR, shard VARCHAR,
            jpg_sha256 VARCHAR, file_build_id VARCHAR, file_is_new BOOLEAN, file VARCHAR)""")
    if clips:
        con.execute(f"""CREATE TEMP TABLE clips AS
            SELECT m.*, v.build_id AS file_build_id, v.is_new AS file_is_new, v.rel AS file
            FROM read_parquet({sql_list(clips)}, filename = true, union_by_name = true) m
            JOIN version_files v ON m.filename = v.abspath""")
    else:
        con.execute("""CREATE TEMP TABLE clips (clip_id VARCHAR, decision VARCHAR, reason VARCHAR,
            frames_written INTEGER, duration_s DOUBLE, file_build_id VARCHAR, file_is_new BOOLEAN, file VARCHAR)""")

    n_frames = con.execute("SELECT count(*) FROM frames").fetchone()[0]
    n_clips = con.execute("SELECT count(*) FROM clips").fetchone()[0]
    want_frames = sum(tables[e["path"]].num_rows for e in usable if e["kind"] == "frame_manifest")
    want_clips = sum(tables[e["path"]].num_rows for e in usable if e["kind"] == "clip_manifest")
    if (n_frames, n_clips) != (want_frames, want_clips):
        ck.fail(f"DuckDB read {n_frames} frame rows and {n_clips} clip rows, pyarrow {want_frames} and {want_clips}")
    print(f"  {n_frames} frame rows, {n_clips} clip rows")

    rows = con.execute("""SELECT decision, coalesce(reason, '-') AS reason, count(*) AS clips
        FROM clips GROUP BY ALL ORDER BY decision, reason""").fetchall()
    print("  decisions by decision/reason:")
    print_rows(("decision", "reason", "clips"), rows)
    bad = con.execute(f"""SELECT DISTINCT coalesce(decision, 'NULL') FROM clips
        WHERE decision IS NULL OR decision NOT IN {DECISIONS}""").fetchall()
    if bad:
        ck.fail(f"clip manifests hold unknown decisions: {[b[0] for b in bad]}")

    per_clip = con.execute("""
        WITH fc AS (SELECT file_build_id, clip_id, count(*) AS frames, min(ts_ms) AS first_ms, max(ts_ms) AS last_ms
                    FROM frames GROUP BY ALL)
        SELECT c.file_build_id, c.clip_id, c.decision, c.frames_written, coalesce(fc.frames, 0) AS frames,
               fc.first_ms, fc.last_ms, c.duration_s
        FROM clips c LEFT JOIN fc ON fc.file_build_id = c.file_build_id AND fc.clip_id = c.clip_id
        ORDER BY c.decision, c.file_build_id, c.clip_id""").fetchall()
    print("  frames per clip (manifest rows joined with clip rows):")
    print_rows(("build_id", "clip_id", "decision", "frames_written", "frames", "first_ms", "last_ms",
                "duration_s"), per_clip)

    mismatched = [r for r in per_clip if (r[2] == "accepted" and r[4] != r[3]) or (r[2] != "accepted" and r[4] != 0)]
    for r in mismatched[:MAX_LISTED]:
        want = r[3] if r[2] == "accepted" else 0
        ck.fail(f"clip {r[1]!r} (build {r[0]}, {r[2]}): {r[4]} frames in the frame manifests, expected {want}")
    if len(mismatched) > MAX_LISTED:
        ck.fail(f"... and {len(mismatched) - MAX_LISTED} more clips whose frame count is wrong")

    orphans = con.execute("""SELECT file_build_id, clip_id, count(*) FROM frames f
        WHERE NOT EXISTS (SELECT 1 FROM clips c WHERE c.file_build_id = f.file_build_id AND c.clip_id = f.clip_id)
        GROUP BY ALL ORDER BY ALL""").fetchall()
    for b, c, n in orphans[:MAX_LISTED]:
        ck.fail(f"{n} frame(s) of clip {c!r} (build {b}) have no clip manifest row")
    dup_clips = con.execute("""SELECT file_build_id, clip_id, count(*) FROM clips WHERE clip_id IS NOT NULL
        GROUP BY ALL HAVING count(*) > 1 ORDER BY ALL""").fetchall()
    for b, c, n in dup_clips[:MAX_LISTED]:
        ck.fail(f"clip {c!r} has {n} clip manifest rows in build {b}")
    dup_keys = con.execute("""SELECT key, count(*), string_agg(file, ', ') FROM frames
        GROUP BY key HAVING count(*) > 1 ORDER BY key""").fetchall()
    for k, n, where in dup_keys[:MAX_LISTED]:
        ck.fail(f"frame key {k!r} occurs {n} times in the version ({where})")
    null_keys = con.execute("SELECT count(*) FROM frames WHERE key IS NULL OR clip_id IS NULL "
                            "OR jpg_sha256 IS NULL OR shard IS NULL").fetchone()[0]
    if null_keys:
        ck.fail(f"{null_keys} frame row(s) have a null key, clip_id, jpg_sha256 or shard")
    again = con.execute("""SELECT clip_id, count(DISTINCT file_build_id) FROM clips WHERE decision = 'accepted'
        GROUP BY clip_id HAVING count(DISTINCT file_build_id) > 1""").fetchall()
    if again:
        print(f"  note: {len(again)} clip(s) accepted in more than one build, e.g. {again[0][0]!r}")

    check_counts(ck, con, doc)
    return n_frames, n_clips, dict((d, n) for d, n in con.execute(
        "SELECT decision, count(*) FROM clips GROUP BY ALL").fetchall())


def check_counts(ck, con, doc):
    """The version file's counts (the files this version added for its build) and totals (whole version) against the manifests."""
    counts, totals = doc.get("counts") or {}, doc.get("totals") or {}
    build_id = (doc.get("build") or {}).get("id")
    compared = 0
    if build_id is not None and isinstance(counts, dict):
        q = lambda sql: con.execute(sql, [build_id]).fetchone()[0]  # noqa: E731
        actual = {
            "manifest_rows": q("SELECT count(*) FROM clips WHERE file_build_id = ? AND file_is_new"),
            "clips_accepted": q("SELECT count(*) FROM clips WHERE file_build_id = ? AND file_is_new AND decision = 'accepted'"),
            "clips_duplicate": q("SELECT count(*) FROM clips WHERE file_build_id = ? AND file_is_new AND decision = 'duplicate'"),
            "clips_quarantined": q("SELECT count(*) FROM clips WHERE file_build_id = ? AND file_is_new AND decision = 'quarantined'"),
            "clips_rejected": q("""SELECT count(*) FROM clips WHERE file_build_id = ? AND file_is_new
                                   AND decision NOT IN ('accepted', 'duplicate', 'quarantined')"""),
            "frames_written": q("SELECT count(*) FROM frames WHERE file_build_id = ? AND file_is_new"),
        }
        for k, v in actual.items():
            if k in counts:
                compared += 1
                if counts[k] != v:
                    ck.fail(f"version counts.{k} is {counts[k]}, the manifests this version added for build {build_id} give {v}")
        if isinstance(counts.get("rejected_by_reason"), dict):
            compared += 1
            by_reason = dict(con.execute("""SELECT reason, count(*) FROM clips
                WHERE file_build_id = ? AND file_is_new AND reason IS NOT NULL GROUP BY ALL""", [build_id]).fetchall())
            if by_reason != counts["rejected_by_reason"]:
                ck.fail(f"version counts.rejected_by_reason is {counts['rejected_by_reason']}, "
                        f"the manifests this version added for build {build_id} give {by_reason}")
        if "video_seconds_accepted" in counts:
            compared += 1
            secs = q("""SELECT coalesce(sum(duration_s), 0) FROM clips
                        WHERE file_build_id = ? AND file_is_new AND decision = 'accepted'""")
            if abs(secs - counts["video_seconds_accepted"]) > 0.01:
                ck.fail(f"version counts.video_seconds_accepted is {counts['video_seconds_accepted']}, "
                        f"the manifests this version added for build {build_id} give {secs:.3f}")
    if isinstance(totals, dict):
        for k, sql in (("frames", "SELECT count(*) FROM frames"),
                       ("clips_accepted", "SELECT count(*) FROM clips WHERE decision = 'accepted'")):
            if k in totals:
                compared += 1
                v = con.execute(sql).fetchone()[0]
                if totals[k] != v:
                    ck.fail(f"version totals.{k} is {totals[k]}, the manifests of the version give {v}")
    print(f"  compared {compared} figure(s) of the version file's counts/totals with the manifests")


# -------------------------------------------------------------------------------------- (4) tar shards

def jpeg_size(b):
    """(width, height) from the first SOF segment, or raises ValueError."""
    if b[:2] != b"\xff\xd8":
        raise ValueError("does not start with a JPEG SOI marker")
    if not b.endswith(b"\xff\xd9"):
        raise ValueError("does not end with a JPEG EOI marker (truncated?)")
    i = 2
    while i + 4 <= len(b):
        if b[i] != 0xFF:
            raise ValueError(f"no marker at byte {i}")
        while i < len(b) and b[i] == 0xFF:
            i += 1
        marker = b[i]
        i += 1
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            continue
        if marker in (0xD9, 0xDA):
            break
        seg = int.from_bytes(b[i:i + 2], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if seg < 7 or i + 7 > len(b):
                raise ValueError("short SOF segment")
            return int.from_bytes(b[i + 5:i + 7], "big"), int.from_bytes(b[i + 3:i + 5], "big")
        i += seg
    raise ValueError("no SOF segment before the image data")


def check_shards(ck, entries, tables):
    print("== tar shards (tarfile) ==")
    tars = {e["path"]: e for e in entries if e.get("kind") == "frames"}
    claimed = {}   # tar rel path -> (manifest rel path, {key: row})
    for e in entries:
        if e.get("kind") != "frame_manifest" or e["path"] not in tables:
            continue
        t = tables[e["path"]]
        shards = sorted(set(v for v in t.column("shard").to_pylist() if v is not None))
        base = os.path.dirname(e["path"])
        if not shards:
            shards = [os.path.splitext(os.path.basename(e["path"]))[0] + ".tar"]
        if len(shards) > 1:
            ck.fail(f"{e['path']}: rows name {len(shards)} shards {shards[:5]}; a frame manifest describes one shard")
            continue
        tar_rel = os.path.join(base, shards[0]) if base else shards[0]
        if tar_rel not in tars:
            ck.fail(f"{e['path']}: its shard {tar_rel} is not listed in the version as kind 'frames'")
            continue
        if tar_rel in claimed:
            ck.fail(f"{tar_rel} is described by two frame manifests: {claimed[tar_rel][0]} and {e['path']}")
            continue
        rows = {}
        for r in t.select(["key", "clip_id", "jpg_sha256", "width", "height"]).to_pylist():
            rows[r["key"]] = r
        claimed[tar_rel] = (e["path"], rows)

    samples_total = 0
    for rel, e in tars.items():
        manifest, rows = claimed.get(rel, (None, {}))
        if manifest is None:
            ck.fail(f"{rel}: no frame manifest in the version describes this shard")
            manifest = "the (missing) frame manifest"
        members = {}       # key -> {ext: bytes-or-parsed}
        order, last, problems = [], None, []
        try:
            with tarfile.open(e["abspath"], mode="r|") as tf:
                for m in tf:
                    if not m.isfile():
                        problems.append(f"member {m.name!r} is not a regular file")
                        continue
                    dirname, _, basename = m.name.rpartition("/")
                    stem, dot, ext = basename.partition(".")
                    key = (dirname + "/" if dirname else "") + stem
                    if not dot:
                        problems.append(f"member {m.name!r} has no extension")
                        continue
                    if key != last:
                        if key in members:
                            problems.append(f"members of sample {key!r} are not adjacent (WebDataset groups "
                                            f"consecutive members)")
                        order.append(key)
                        last = key
                    sample = members.setdefault(key, {})
                    if ext in sample:
                        problems.append(f"member {m.name!r} occurs twice")
                    data = tf.extractfile(m).read()
                    if ext == "json":
                        try:
                            sample["json"] = json.loads(data)
                        except ValueError as ex:
                            problems.append(f"{m.name}: not valid JSON: {ex}")
                            sample["json"] = None
                        if ck.forbid is not None and sample["json"] is not None and \
                                ck.forbid in json.dumps(sample["json"], ensure_ascii=False):
                            problems.append(f"{m.name}: contains the forbidden text")
                    elif ext == "jpg":
                        sample["jpg"] = data
                    else:
                        problems.append(f"member {m.name!r}: unexpected extension .{ext} (expected .json and .jpg)")
                        sample[ext] = None
        except (tarfile.TarError, OSError, EOFError) as ex:
            ck.fail(f"{rel}: tarfile cannot read it: {ex}")
            continue

        tar_keys, man_keys = set(members), set(rows)
        if tar_keys != man_keys:
            only_tar, only_man = sorted(tar_keys - man_keys), sorted(man_keys - tar_keys)
            if only_tar:
                problems.append(f"{len(only_tar)} key(s) in the tar but not in {manifest}: {only_tar[:5]}")
            if only_man:
                problems.append(f"{len(only_man)} key(s) in {manifest} but not in the tar: {only_man[:5]}")
        for key in order:
            sample = members[key]
            if "jpg" not in sample or "json" not in sample:
                problems.append(f"sample {key!r} lacks its .{'jpg' if 'jpg' not in sample else 'json'} member")
            row = rows.get(key)
            jpg = sample.get("jpg")
            if jpg is None or row is None:
                continue
            actual = hashlib.sha256(jpg).hexdigest()
            if actual != row["jpg_sha256"]:
                problems.append(f"{key}.jpg has sha256 {actual}, manifest jpg_sha256 is {row['jpg_sha256']}")
            try:
                w, h = jpeg_size(jpg)
                if (w, h) != (row["width"], row["height"]):
                    problems.append(f"{key}.jpg is {w}x{h}, manifest says {row['width']}x{row['height']}")
            except ValueError as ex:
                problems.append(f"{key}.jpg: {ex}")
            labels = sample.get("json")
            if isinstance(labels, dict):
                for field in ("key", "clip_id", "jpg_sha256"):
                    if field in labels and labels[field] != row[field]:
                        problems.append(f"{key}.json has {field}={labels[field]!r}, manifest has {row[field]!r}")
            elif labels is not None:
                problems.append(f"{key}.json is not a JSON object")
        if len(members) != e.get("rows"):
            problems.append(f"holds {len(members)} samples, version file says rows={e.get('rows')}")
        for p in problems[:MAX_LISTED]:
            ck.fail(f"{rel}: {p}")
        if len(problems) > MAX_LISTED:
            ck.fail(f"{rel}: ... and {len(problems) - MAX_LISTED} more problems")
        samples_total += len(members)
        print(f"  {rel}: {len(members)} samples{'' if not problems else f', {len(problems)} problem(s)'}")
    return samples_total


# ------------------------------------------------------------------------------------------------- main

def main(argv):
    args = parse_args(argv)
    try:
        import duckdb  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError as ex:
        print(f"check-manifests: {ex}; run it through scripts/check-manifests, which provides pyarrow and duckdb",
              file=sys.stderr)
        return 2
    ck = Checker(args.forbid)
    try:
        dataset_dir, name, vfile, raw, doc = load_version(args)
        print(f"checking {args.dataset} {name} ({vfile})")
        check_version_doc(ck, dataset_dir, name, vfile, raw, doc)
        entries = check_files(ck, dataset_dir, doc["files"])
        tables = check_manifests(ck, entries)
        n_frames, n_clips, decisions = check_sql(ck, doc, entries, tables)
        samples = check_shards(ck, entries, tables)
    except Unusable as ex:
        print(f"check-manifests: {ex}", file=sys.stderr)
        return 2
    if ck.failures:
        print(f"\nFAIL: {args.dataset} {name}: {len(ck.failures)} problem(s):", file=sys.stderr)
        for f in ck.failures:
            print(f"  - {f}", file=sys.stderr)
        return 1
    shards = sum(1 for e in entries if e.get("kind") == "frames")
    decided = ", ".join(f"{d} {decisions[d]}" for d in DECISIONS if d in decisions) or "none"
    print(f"\nPASS: {args.dataset} {name}: {len(entries)} files match size and sha256; {shards} shard(s) with "
          f"{samples} samples match {n_frames} frame manifest rows; {n_clips} clips ({decided}), frames per "
          f"accepted clip = frames_written" + ("; forbidden text absent" if args.forbid is not None else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
