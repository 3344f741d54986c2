#!/usr/bin/env python3
"""A small fault-injecting HTTP proxy for the SDK test suites (standard library only).

Forwards every request to --upstream unchanged, except that queued faults are answered by the
proxy itself. Control endpoints live under /__proxy/ and are never forwarded:

  POST /__proxy/faults   {"faults": [FAULT, ...]}  appends faults to the queue
  GET  /__proxy/requests                           the requests proxied since the last reset
  POST /__proxy/reset                              clears the queue and the request log

FAULT = {"status": 503, "code": "service_unavailable", "retry_after": "1", "method": "POST",
         "path": "/v1/api-keys", "drop": false}
  * status: the status to answer instead of forwarding (a problem+json body is sent);
  * code (optional): the problem's `code` (default: one derived from the status);
  * retry_after (optional): value of the Retry-After header;
  * method / path (optional): the fault only matches requests with this method / path prefix;
  * drop (optional): close the connection without answering (a network error for the client).
Each request consumes the first matching fault, if any.

A request log entry: {"method", "path", "idempotency_key", "authorization", "status", "faulted"},
where "authorization" is only the scheme and the token's first 4 characters.

Usage: fault_proxy.py --upstream http://127.0.0.1:8080 [--port 0]
Prints "LISTENING <port>" on stdout once ready.
"""

import argparse
import http.client
import json
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "host", "content-length"}
CODES = {408: "request_timeout", 409: "conflict", 429: "rate_limited", 500: "internal_error",
         502: "bad_gateway", 503: "service_unavailable", 504: "gateway_timeout"}


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.faults = []
        self.log = []

    def take_fault(self, method, path):
        with self.lock:
            for i, fault in enumerate(self.faults):
                if fault.get("method", method).upper() == method and path.startswith(fault.get("path", "")):
                    return self.faults.pop(i)
        return None

    def record(self, entry):
        with self.lock:
            self.log.append(entry)


def make_handler(upstream, state):
    target = urllib.parse.urlsplit(upstream)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _send(self, status, body=b"", headers=()):
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status, value):
            self._send(status, json.dumps(value).encode(), [("Content-Type", "application/json")])

        def _control(self, body):
            if self.command == "POST" and self.path == "/__proxy/faults":
                faults = json.loads(body or b"{}").get("faults", [])
                with state.lock:
                    state.faults.extend(faults)
                return self._json(200, {"queued": len(state.faults)})
            if self.command == "GET" and self.path == "/__proxy/requests":
                with state.lock:
                    return self._json(200, {"requests": list(state.log)})
            if self.command == "POST" and self.path == "/__proxy/reset":
                with state.lock:
                    state.faults.clear()
                    state.log.clear()
                return self._json(200, {"reset": True})
            return self._json(404, {"error": "unknown proxy control endpoint"})

        def _handle(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if self.path.startswith("/__proxy/"):
                return self._control(body)
            path = urllib.parse.urlsplit(self.path).path
            auth = self.headers.get("Authorization") or ""
            entry = {"method": self.command, "path": path, "idempotency_key": self.headers.get("Idempotency-Key"),
                     "authorization": auth[:11] if auth else None, "faulted": False}
            fault = state.take_fault(self.command, path)
            if fault is not None:
                entry["faulted"] = True
                if fault.get("drop"):
                    entry["status"] = None
                    state.record(entry)
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                status = int(fault["status"])
                code = fault.get("code") or CODES.get(status, "injected_fault")
                problem = {"type": f"https://docs.campaign-os.dev/errors/{code}", "title": "Injected fault",
                           "status": status, "detail": "Injected by the SDK test proxy.", "code": code,
                           "request_id": "req_proxy"}
                headers = [("Content-Type", "application/problem+json"), ("X-Request-Id", "req_proxy")]
                if fault.get("retry_after") is not None:
                    headers.append(("Retry-After", str(fault["retry_after"])))
                entry["status"] = status
                state.record(entry)
                return self._send(status, json.dumps(problem).encode(), headers)
            conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            conn.request(self.command, self.path, body=body or None, headers=headers)
            res = conn.getresponse()
            data = res.read()
            entry["status"] = res.status
            state.record(entry)
            out = [(k, v) for k, v in res.getheaders() if k.lower() not in HOP_BY_HOP]
            conn.close()
            self._send(res.status, data, out)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(args.upstream, State()))
    print(f"LISTENING {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
