"""Shared pieces of the benchmark scripts (scripts/bench, scripts/bench-contacts, scripts/bench-import):
a release server process, wrk runs, HTTP helpers and scratch PostgreSQL schemas."""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "campaign-os")
PG_BASE = os.environ.get("COS_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable")
REDIS = os.environ.get("COS_BENCH_REDIS_URL", "redis://127.0.0.1:6379")
HIGH_LIMITS = {"COS_RATE_LIMIT_API_KEY_PER_MINUTE": "1000000000", "COS_RATE_LIMIT_USER_PER_MINUTE": "1000000000",
               "COS_RATE_LIMIT_IP_PER_MINUTE": "1000000000", "COS_RATE_LIMIT_AUTH_PER_MINUTE": "1000000000"}


def build_release():
    subprocess.run(["cargo", "build", "--release", "--locked", "--bin", "campaign-os"], cwd=ROOT, check=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def ensure_wrk():
    if shutil.which("wrk"):
        return
    print("installing wrk (Debian package)…", flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run(sudo + ["apt-get", "install", "-y", "-q", "wrk"], check=True)


def healthz(port, timeout=0.2):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=timeout) as r:
            return r.status == 200
    except Exception:
        return False


def server_env(database_url, port, data_dir, **extra):
    """The environment of a benchmark server: its own port, data directory and database, warn-level
    logs, no config file, limits high enough that nothing is refused."""
    empty_config = os.path.join(data_dir, "empty.toml")  # ignore any ./campaign-os.toml
    open(empty_config, "w").close()
    env = dict(os.environ, COS_BIND=f"127.0.0.1:{port}", COS_DATA_DIR=data_dir, COS_DATABASE_URL=database_url,
               COS_LOG_LEVEL="warn", COS_CONFIG=empty_config, **HIGH_LIMITS)
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env.update(extra)
    return env


class Server:
    def __init__(self, env, port):
        self.env, self.port, self.proc = env, port, None

    def start(self):
        t0 = time.perf_counter()
        self.proc = subprocess.Popen([BIN, "serve"], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while not healthz(self.port):
            if self.proc.poll() is not None:
                raise RuntimeError("server exited during start-up")
            time.sleep(0.001)
        return (time.perf_counter() - t0) * 1000

    def _status_kb(self, field):
        with open(f"/proc/{self.proc.pid}/status") as f:
            return int(re.search(rf"{field}:\s+(\d+)", f.read()).group(1))

    def rss_mb(self):
        return self._status_kb("VmRSS") / 1024

    def peak_rss_mb(self):
        """The high-water mark of the resident set since the process started."""
        return self._status_kb("VmHWM") / 1024

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


def request(port, method, path, body=None, token=None):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, headers=headers, method=method)
    with urllib.request.urlopen(req) as r:
        raw = r.read()
        return json.loads(raw) if raw else None


def post(port, path, body, token=None):
    return request(port, "POST", path, body, token)


def wrk(url, token, duration, connections):
    """Runs wrk against one URL; returns req/s, p50/p99 in ms, non-2xx count and socket errors."""
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-H", f"Authorization: Bearer {token}", url],
        check=True, capture_output=True, text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def pct(p):
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50": pct(50), "p99": pct(99), "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": errors.group(1) if errors else "none"}


def postgres_schema(name):
    """Creates a scratch schema in the Postgres test database; returns a URL using it, or None when
    PostgreSQL is unavailable."""
    if not shutil.which("psql"):
        print("psql not found: skipping PostgreSQL", file=sys.stderr)
        return None
    ok = subprocess.run(["psql", PG_BASE, "-qc", f'CREATE SCHEMA IF NOT EXISTS "{name}"'], capture_output=True)
    if ok.returncode != 0:
        print(f"PostgreSQL not reachable at {PG_BASE}: skipping ({ok.stderr.decode().strip()})", file=sys.stderr)
        return None
    sep = "&" if "?" in PG_BASE else "?"
    return f"{PG_BASE}{sep}options=-c%20search_path%3D{name}"


def drop_postgres_schema(name):
    subprocess.run(["psql", PG_BASE, "-qc", f'DROP SCHEMA IF EXISTS "{name}" CASCADE'], capture_output=True)


def psql(sql, schema=None):
    """Runs SQL through psql against the Postgres test database (in `schema` when given)."""
    prefix = f'SET search_path TO "{schema}";\n' if schema else ""
    return subprocess.run(["psql", PG_BASE, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", prefix + sql],
                          check=True, capture_output=True, text=True).stdout


def scratch_dir(prefix):
    return tempfile.mkdtemp(prefix=prefix)
