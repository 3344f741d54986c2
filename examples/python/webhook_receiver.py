#!/usr/bin/env python3
"""A Campaign OS webhook receiver: verifies every delivery with the SDK and prints its event.

Each POST is checked with ``verify_webhook`` (Standard Webhooks signature over the raw body,
timestamp within 5 minutes) against the endpoint's signing secret. A valid delivery is answered
204 and printed (``webhook-id``, event type, data); a duplicate ``webhook-id`` (a retry of a
message already handled) is answered 204 and not handled again; anything else is answered 400.
Only the standard library and the SDK are used.

    pip install ./sdks/python
    CAMPAIGN_OS_WEBHOOK_SECRET=whsec_… python examples/python/webhook_receiver.py --port 8000

Then point an endpoint at it (the server must be allowed to reach it: https and a public address,
or, in development, COS_WEBHOOK_ALLOW_HTTP=true and COS_WEBHOOK_ALLOWED_NETWORKS=127.0.0.0/8,::1/128):

    curl -s http://127.0.0.1:8080/v1/webhooks/endpoints -H "Authorization: Bearer $TOKEN" \\
      -H 'Content-Type: application/json' -d '{"url": "http://127.0.0.1:8000/webhooks"}'
    curl -s http://127.0.0.1:8080/v1/webhooks/endpoints/ep_…/secret -H "Authorization: Bearer $TOKEN"

``--port 0`` picks a free port; the first line printed says which.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from campaign_os import WebhookVerificationError, verify_webhook

MAX_BODY = 1024 * 1024  # deliveries are small; refuse anything bigger


class Receiver(ThreadingHTTPServer):
    def __init__(self, address: tuple[str, int], secret: str) -> None:
        super().__init__(address, Handler)
        self.secret = secret
        self.seen: set[str] = set()  # webhook-ids handled (keep them in a database in a real app)
        self.lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.answer(413, {"error": "too_large"})
            return
        body = self.rfile.read(length)  # the raw bytes: verify them before parsing anything
        try:
            event = verify_webhook(body, dict(self.headers.items()), self.server.secret)
        except WebhookVerificationError as err:
            print(f"rejected: {err.reason} ({err})", flush=True)
            self.answer(400, {"error": err.reason})
            return

        msg_id = self.headers["webhook-id"]
        with self.server.lock:
            duplicate = msg_id in self.server.seen
            self.server.seen.add(msg_id)
        self.answer(204)  # answer quickly; do the work after
        if duplicate:
            print(f"{msg_id} duplicate: already handled", flush=True)
        else:
            handle(msg_id, event)

    def answer(self, status: int, body: dict[str, Any] | None = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if data:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per delivery is printed by do_POST


def handle(msg_id: str, event: dict[str, Any]) -> None:
    """Your integration goes here. The payload is {"type", "timestamp", "data"}."""
    print(f"{msg_id} {event.get('type')}: {json.dumps(event.get('data'))}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()

    secret = os.environ.get("CAMPAIGN_OS_WEBHOOK_SECRET")
    if not secret:
        print("set CAMPAIGN_OS_WEBHOOK_SECRET to the endpoint's secret (whsec_…)", file=sys.stderr)
        return 2

    server = Receiver((args.host, args.port), secret)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop cleanly under a process manager
    host, port = server.server_address[:2]
    print(f"listening on http://{host}:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
