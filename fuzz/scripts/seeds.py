#!/usr/bin/env python3
"""Writes the seed corpora of fuzz/corpus/<target>/ from testdata/.

Each seed is named seed-<source>, so that fuzz/.gitignore keeps the seeds
and ignores what runs add. Run from anywhere: `python3 fuzz/scripts/seeds.py`.
"""

import json
import pathlib
import shutil

ROOT = pathlib.Path(__file__).resolve().parents[2]
TESTDATA = ROOT / "testdata"
CORPUS = ROOT / "fuzz" / "corpus"
# Seeds larger than this are left out: the runs use -max_len=65536 and the
# committed corpus stays small.
MAX_SEED = 16 * 1024

# lint_input's first byte picks the file name (see fuzz_targets/lint_input.rs).
POLICY, YAML, TEMPLATE, TF_JSON, PLAN, EXPORT = 0, 1, 3, 4, 5, 6


def name(path):
    return "seed-" + str(path.relative_to(TESTDATA)).replace("/", "-")


def small(paths):
    return sorted(p for p in paths if p.is_file() and p.stat().st_size <= MAX_SEED)


def is_snapshot(path):
    return b'"whittle.snapshot/v1"' in path.read_bytes()


def write(target, seed, data):
    (CORPUS / target).mkdir(parents=True, exist_ok=True)
    (CORPUS / target / seed).write_bytes(data)


def lint_pick(path):
    text = path.name
    if text.endswith((".yaml", ".yml")):
        return YAML
    if text.endswith(".tf.json"):
        return TF_JSON
    if path.parent.name == "iac" and text == "plan.json":
        return PLAN
    if path.parent.name == "iac" and text.startswith("template"):
        return TEMPLATE
    if path.parent.name in ("accounts", "inputs"):
        return EXPORT
    return POLICY


def plan_seed():
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
    }
    arn = "arn:aws:iam::123456789012:policy/shared"
    role = {"kind": "role", "name": "app"}
    steps = [
        {"op": "create_policy", "name": "whittle-app", "path": "/", "description": "trimmed",
         "document": document, "tags": [{"Key": "whittle", "Value": "1"}]},
        {"op": "create_policy_version", "policy_arn": arn, "document": document,
         "set_as_default": True},
        {"op": "delete_policy_version", "policy_arn": arn, "version_id": "v1", "document": document},
        {"op": "set_default_policy_version", "policy_arn": arn, "version_id": "v2"},
        {"op": "put_inline_policy", "principal": {"kind": "user", "name": "alice"},
         "policy_name": "uploads", "document": document, "previous_document": None},
        {"op": "delete_inline_policy", "principal": {"kind": "group", "name": "developers"},
         "policy_name": "git", "document": document},
        {"op": "attach_policy", "principal": role, "policy_arn": arn},
        {"op": "detach_policy", "principal": role, "policy_arn": arn},
        {"op": "tag_role", "role_name": "app", "tags": [{"Key": "whittle:keep", "Value": "true"}]},
        {"op": "delete_role", "role_name": "ghost", "path": "/",
         "assume_role_policy_document": document},
        {"op": "add_user_to_group", "user_name": "alice", "group_name": "developers"},
        {"op": "remove_user_from_group", "user_name": "alice", "group_name": "developers"},
    ]
    expectations = [
        {"state": "policy_absent", "policy_arn": arn},
        {"state": "policy_default", "policy_arn": arn, "version_id": "v1",
         "document_sha256": "0" * 64},
        {"state": "policy_default_is", "policy_arn": arn, "version_id": "v1"},
        {"state": "inline_present", "principal": role, "policy_name": "p",
         "document_sha256": "0" * 64},
        {"state": "attached", "principal": role, "policy_arn": arn},
        {"state": "role_tagged", "role_name": "app", "tags": []},
        {"state": "member_of", "user_name": "alice", "group_name": "developers"},
    ]
    for i, step in enumerate(steps):
        steps[i] = {"id": f"s{i}", "description": f"step {i}", "operation": step,
                    "expect": [expectations[i % len(expectations)]]}
    plan = {
        "schema": "whittle.plan/v1",
        "created_at": "2026-11-26T17:32:34Z",
        "tool": {"name": "whittle", "version": "0.1.0", "catalog": None},
        "snapshot": {"account_id": "123456789012", "fetched_at": "2026-11-26T17:00:00Z"},
        "steps": steps,
    }
    return json.dumps(plan, indent=2).encode()


def main():
    shutil.rmtree(CORPUS, ignore_errors=True)
    rules = small(TESTDATA.glob("rules/*/*.json"))
    plain = [p for p in rules if not is_snapshot(p) and ".old." not in p.name and ".new." not in p.name]
    documents = small(
        [*TESTDATA.glob("policies/*.json"), *TESTDATA.glob("iac/*"), *TESTDATA.glob("inputs/*.json"),
         *TESTDATA.glob("accounts/*.json")]
    ) + plain
    for path in documents:
        data = path.read_bytes()
        if path.suffix == ".json" and lint_pick(path) == POLICY:
            write("policy_json", name(path), data)
        write("lint_input", name(path), bytes([lint_pick(path)]) + data)
    for path in small(TESTDATA.glob("iac/*.yaml")):
        write("yaml", name(path), path.read_bytes())
    for path in small((ROOT / "fuzz" / "seeds" / "yaml").glob("*.yaml")):
        write("yaml", "seed-" + path.name, path.read_bytes())
        write("lint_input", "seed-" + path.name, bytes([YAML]) + path.read_bytes())
    for old in small(TESTDATA.glob("rules/*/*.old.json")):
        new = old.with_name(old.name.replace(".old.json", ".new.json"))
        write("diff", name(old), old.read_bytes() + b"\0" + new.read_bytes())
    policies = small(TESTDATA.glob("policies/*.json"))
    for old, new in zip(policies, policies[1:]):
        write("diff", name(old) + "-" + new.name, old.read_bytes() + b"\0" + new.read_bytes())
    iac = TESTDATA / "iac"
    for one in ["template.yaml", "template.json", "main.tf.json", "plan.json", "trust.json"]:
        write("diff", f"seed-iac-policy-{one}", (iac / "policy.json").read_bytes() + b"\0" + (iac / one).read_bytes())
    last_accessed = small(TESTDATA.glob("import/*.json"))
    for path in small([*TESTDATA.glob("inputs/account-authorization-details*.json"), *TESTDATA.glob("accounts/*.json")]):
        # One last-accessed file for role/app (header 0b01), then two (0b0110: user/dev, role/app).
        write("import", name(path), b"\x01" + path.read_bytes() + b"\0" + last_accessed[-1].read_bytes())
        write("import", name(path) + "-two", b"\x16" + path.read_bytes() + b"\0" + last_accessed[-1].read_bytes() + b"\0" + last_accessed[0].read_bytes())
    for path in [p for p in rules if is_snapshot(p)]:
        write("snapshot", name(path), path.read_bytes())
    write("snapshot", "seed-plan-every-operation.json", plan_seed())


if __name__ == "__main__":
    main()
