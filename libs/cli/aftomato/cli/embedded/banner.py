"""What ``aftomato up`` tells its user once it listens (pure): where, and how to try it.

The webhook command is a generic hook for the hello-world example, signed with the webhook
secret: the body is fixed here and its HMAC computed, so the command is pasted as printed, and
the secret itself is not shown. Its delivery id is new each start; one paste is one build.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import shlex
import uuid

HELLO_WORLD = "examples/hello-world"
SIGNATURE_HEADER = "X-Aftomato-Signature"


def signed_webhook_curl(
    base_url: str, secret: str, *, project: str = HELLO_WORLD, branch: str = "main"
) -> str:
    """A ``curl`` command that POSTs a signed generic webhook asking for ``project``/``branch``."""
    body = json.dumps(
        {
            "project_key": project,
            "branch": branch,
            "delivery_id": uuid.uuid4().hex,
            "actor": "curl",
        },
        separators=(",", ":"),
    )
    signature = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    parts = [
        "curl", "--fail-with-body", "-sS", "-X", "POST", f"{base_url}/hooks/generic",
        "-H", "Content-Type: application/json",
        "-H", f"{SIGNATURE_HEADER}: sha256={signature}",
        "--data-binary", body,
    ]  # fmt: skip
    return shlex.join(parts)


def banner(base_url: str, curl: str, token: str | None, data_dir: str) -> str:
    sign_in = (
        f"  Sign in to launch builds with the token {token}\n"
        f"  (saved in {data_dir}/api-token for the aftomato commands)\n"
        if token
        else "  Sign in with one of the tokens of AFTOMATO_API_TOKENS.\n"
    )
    return (
        f"\nAftomato is up: {base_url}/\n"
        f"{sign_in}"
        f"  Data (records, logs, artifacts): {data_dir}\n"
        f"  Try a build with a signed webhook:\n\n{curl}\n\n"
        f"  or: aftomato build {HELLO_WORLD} --branch main --follow\n"
        f"  Stop with Ctrl-C: running builds are cancelled and recorded.\n"
    )
