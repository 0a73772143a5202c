"""What tests/python_client.rs asks of a Google client library: its operations mixin methods,
over REST, against the emulator on 127.0.0.1.

A script (run_v2.py, redis_v1.py) builds the library's client and hands it here with a plan,
a JSON object given as the script's only argument:

    {"endpoint": "http://127.0.0.1:PORT/_svc/NAME", "parents": ["projects/P/locations/L", ...],
     "page_size": 5, "cancel": [NAME...], "delete": NAME, "wait": [NAME...],
     "wait_timeout_s": 1}

It prints one JSON object on stdout: what each call returned or raised, for the Rust test to
judge. A call that fails with anything but a google.api_core exception (the library refused
the emulator's answer, e.g. an unknown field) ends the script with a traceback.
"""

import json
import os
import sys

from google.api_core import exceptions as api_exceptions
from google.auth.credentials import AnonymousCredentials
from google.longrunning import operations_pb2
from google.protobuf import duration_pb2, json_format

LOOPBACK = ("http://127.0.0.1:", "http://localhost:")


def plan_from_argv():
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} PLAN_JSON")
    plan = json.loads(sys.argv[1])
    if not plan["endpoint"].startswith(LOOPBACK):
        sys.exit(f"refusing a non-loopback endpoint: {plan['endpoint']}")
    # No credentials are looked for, and nothing but loopback is reachable by mistake.
    for var in ("GOOGLE_APPLICATION_CREDENTIALS", "HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
        if os.environ.get(var):
            sys.exit(f"{var} must not be set for this test")
    return plan


def client_kwargs(plan):
    return {
        "credentials": AnonymousCredentials(),
        "transport": "rest",
        "client_options": {"api_endpoint": plan["endpoint"]},
    }


def as_dict(message):
    return json_format.MessageToDict(message)


def outcome(call):
    """("ok", value), or for a google.api_core error the exception's class name and what it
    read from the error envelope (the ErrorInfo's reason, domain and metadata)."""
    try:
        return "ok", call()
    except api_exceptions.GoogleAPICallError as e:
        return type(e).__name__, {
            "http": e.code,
            "message": str(e.message),
            "reason": e.reason,
            "domain": e.domain,
            "metadata": dict(e.metadata or {}),
        }


def list_all(client, parent, page_size):
    """Every page of parent's operations, following nextPageToken until it is empty."""
    pages, token = [], ""
    while True:
        resp = client.list_operations(
            request={"name": parent, "page_size": page_size, "page_token": token}
        )
        pages.append(list(resp.operations))
        token = resp.next_page_token
        if not token:
            return pages
        if len(pages) > 1000:
            raise RuntimeError("no end to the pages")


def state(op):
    return {
        "name": op.name,
        "done": op.done,
        "result": op.WhichOneof("result"),
        "error_code": op.error.code if op.HasField("error") else None,
        "metadata_type": op.metadata.type_url,
        "response_type": op.response.type_url if op.HasField("response") else None,
    }


def exercise(client, plan, metadata_message, extra=None):
    """Runs the plan with `client`; `metadata_message` is the library's own metadata class
    (a protobuf class): every operation's metadata must unpack into it."""
    out = {"library": type(client).__module__, "locations": {}, "methods": {}}
    for m in ("list_operations", "get_operation", "delete_operation", "cancel_operation", "wait_operation"):
        out["methods"][m] = callable(getattr(client, m, None))

    for parent in plan["parents"]:
        pages = list_all(client, parent, plan["page_size"])
        ops = [op for page in pages for op in page]
        foreign = [op.name for op in ops if not op.name.startswith(parent + "/operations/")]
        mismatched, unpacked = [], []
        for op in ops:
            got = client.get_operation(request={"name": op.name})
            if as_dict(got) != as_dict(op):
                mismatched.append(op.name)
            meta = metadata_message()
            if not op.metadata.Unpack(meta):
                raise RuntimeError(f"{op.name}: metadata {op.metadata.type_url} is not {meta.DESCRIPTOR.full_name}")
            unpacked.append(as_dict(meta))
        out["locations"][parent] = {
            "page_sizes": [len(p) for p in pages],
            "names": [op.name for op in ops],
            "foreign": foreign,
            "get_mismatches": mismatched,
            "states": [state(op) for op in ops],
            "metadata": unpacked,
        }

    out["wait"] = []
    for name in plan.get("wait", []):
        req = operations_pb2.WaitOperationRequest(
            name=name, timeout=duration_pb2.Duration(seconds=plan.get("wait_timeout_s", 1))
        )
        kind, value = outcome(lambda: client.wait_operation(request=req))
        entry = {"name": name, "outcome": kind}
        if kind == "ok":
            entry["op"] = state(value)
            entry["equals_get"] = as_dict(value) == as_dict(client.get_operation(request={"name": name}))
        else:
            entry["error"] = value
        out["wait"].append(entry)

    out["cancel"] = []
    for name in plan.get("cancel", []):
        kind, value = outcome(lambda: client.cancel_operation(request={"name": name}))
        entry = {"name": name, "outcome": kind, "after": state(client.get_operation(request={"name": name}))}
        if kind != "ok":
            entry["error"] = value
        out["cancel"].append(entry)

    if plan.get("delete"):
        name = plan["delete"]
        kind, _ = outcome(lambda: client.delete_operation(request={"name": name}))
        again, _ = outcome(lambda: client.get_operation(request={"name": name}))
        out["delete"] = {"name": name, "outcome": kind, "get_after": again}

    missing = plan["parents"][0] + "/operations/no-such-operation"
    kind, value = outcome(lambda: client.get_operation(request={"name": missing}))
    out["missing"] = {"name": missing, "outcome": kind, "error": value if kind != "ok" else None}

    if extra:
        out.update(extra())
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    print()
