"""Schemathesis hooks for scripts/schemathesis (loaded through SCHEMATHESIS_HOOKS).

The optional `Idempotency-Key` header is removed from the schema schemathesis works from: a
fuzzer draws the same few values ("0", "A", the example…) for many different requests, which the
API rightly answers with 422 idempotency_key_reused — a correct refusal that would read as a
failure. The header's semantics are covered by api/tests/api/idempotency.rs instead.
"""

import sys

import schemathesis

# The CRM schemas hold free-form JSON objects (custom fields), and generating nested values for
# them recurses deeply: under the default limit (1000) CPython 3.11 occasionally fails inside
# schemathesis with "SystemError: AST constructor recursion depth mismatch" (a RecursionError
# surfacing while source is compiled), reported as a runtime error of a random operation.
sys.setrecursionlimit(10_000)


@schemathesis.hook
def before_load_schema(ctx, raw_schema):
    for item in raw_schema.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "parameters" in operation:
                operation["parameters"] = [
                    p for p in operation["parameters"] if p.get("name", "").lower() != "idempotency-key"
                ]
