"""One full benchmark run of the live-collaboration servers on this machine.

For each target server and each load: start the server fresh on a free loopback port, set
it up (JointPlan: a user, a blank plan and D text sections), sample its RSS and CPU from
/proc, run bench/loadgen.mjs (stock y-websocket clients), stop the server. Prints a
markdown table and writes everything as JSON under bench/results/.

    .venv/bin/python bench/run.py                          # everything, 15 s per load
    .venv/bin/python bench/run.py --targets y-websocket-server,pycrdt-websocket
    .venv/bin/python bench/run.py --duration 5 --loads 20/5/50 --targets jointplan-sqlite
    .venv/bin/python bench/run.py --loads none --open-bench --open-updates 100000

Standard library only. See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
TARGETS = ["jointplan-sqlite", "jointplan-postgres", "y-websocket-server", "pycrdt-websocket"]
DEFAULT_LOADS = "20/5/50,100/10/200,200/20/500"
# The open benchmark fills a section's log through one connection; JointPlan's
# per-connection rate limit (server/config.py) would stretch 100,000 updates to many minutes.
# The room is unloaded 2 s after the writer left (10 s by default), so that the opens after
# --open-settle find the log compacted, as the target says, rather than racing the unload.
OPEN_SERVER_ENV = [
    "JOINTPLAN_COLLAB_RATE_PER_SECOND=1000000",
    "JOINTPLAN_COLLAB_RATE_BURST=1000000",
    "JOINTPLAN_COLLAB_ROOM_GRACE_SECONDS=2",
]
CLK_TCK = os.sysconf("SC_CLK_TCK")
KIB_PER_MIB = 1024  # /proc/PID/status reports kB


class BenchError(Exception):
    """A run could not be done; the message says why."""


def out(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def note(line: str) -> None:
    sys.stderr.write(f"[run] {line}\n")
    sys.stderr.flush()


# ------------------------------------------------------------------------ /proc sampling


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name may hold spaces and parentheses: split after the last ')'
    return raw[raw.rindex(")") + 2 :].split()


def process_tree(root: int) -> list[int]:
    """The root and all its descendants (a server may be a wrapper with children)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def tree_cpu_seconds(root: int) -> float:
    """utime+stime of the tree, plus what reaped children of each member used."""
    total = 0
    for pid in process_tree(root):
        fields = _stat_fields(pid)
        if fields is not None:
            total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return total / CLK_TCK


def tree_rss_mib(root: int) -> float:
    total_kib = 0
    for pid in process_tree(root):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kib += int(line.split()[1])
        except OSError:
            pass
    return total_kib / KIB_PER_MIB


def machine_busy_seconds() -> float:
    """Busy CPU time of the whole machine (all cores), from /proc/stat."""
    values = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) / CLK_TCK


class Sampler(threading.Thread):
    """Samples a process tree's RSS every 100 ms and keeps the peak."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_rss = tree_rss_mib(pid)
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(0.1):
            self.peak_rss = max(self.peak_rss, tree_rss_mib(self.pid))

    def stop(self) -> float:
        self._stop_event.set()
        self.join(2)
        self.peak_rss = max(self.peak_rss, tree_rss_mib(self.pid))
        return self.peak_rss


# ------------------------------------------------------------------------ helpers


def niceness(args: argparse.Namespace) -> Any:
    """preexec_fn that changes the child's nice value by --nice (None: leave it)."""
    if not args.nice:
        return None
    delta = int(args.nice)
    return lambda: os.nice(delta)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def http_json(
    method: str, url: str, body: Any = None, token: str | None = None, timeout: float = 15
) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:500].decode(errors="replace")
        raise BenchError(f"{method} {url} → HTTP {exc.code}: {detail}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise BenchError(f"{method} {url} failed: {exc}") from exc


def websocket_probe(port: int, path: str, timeout: float = 10) -> tuple[int, str]:
    """Opens one WebSocket by hand (stdlib only); returns the HTTP status and status line.

    On 101 it closes politely with a masked close frame (1000).
    """
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.settimeout(timeout)
        s.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = s.recv(4096)
            if not chunk:
                break
            head += chunk
        status_line = head.split(b"\r\n", 1)[0].decode(errors="replace")
        try:
            status = int(status_line.split()[1])
        except (IndexError, ValueError):
            status = 0
        if status == 101:
            mask = os.urandom(4)
            payload = (1000).to_bytes(2, "big")
            masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            s.sendall(b"\x88\x82" + mask + masked)
        return status, status_line


def wait_until(predicate: Any, timeout: float, what: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"the server exited with code {proc.returncode} while {what}")
        try:
            if predicate():
                return
        except (OSError, BenchError):
            pass
        time.sleep(0.2)
    raise BenchError(f"timed out after {timeout:.0f} s {what}")


def log_errors(path: Path) -> tuple[int, str | None]:
    """How many errors the server logged (uvicorn/Python and Node styles), and the first."""
    count, first = 0, None
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return 0, None
    for line in text:
        if line.startswith(("ERROR", "Traceback", "Error:", "Unhandled", "CRITICAL")):
            count += 1
            first = first or line.strip()[:200]
    return count, first


def tail(path: Path, lines: int = 25) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join("    " + line for line in text[-lines:])


# ------------------------------------------------------------------------ targets


@dataclass
class Setup:
    url: str
    rooms_json: Path | None = None
    token: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Server:
    name = ""
    # open benchmark: keep the writer connected while timing opens (in-memory servers)
    open_keep_writer = True
    stop_grace = 5.0  # seconds between SIGTERM and SIGKILL

    def __init__(
        self, args: argparse.Namespace, workdir: Path, extra_env: list[str] | None = None
    ) -> None:
        self.args = args
        self.workdir = workdir
        self.extra_env = list(args.server_env) + list(extra_env or [])
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = workdir / "server.log"
        self._log: BinaryIO | None = None

    # subclasses: command(), env(), ready(), setup()
    def command(self) -> list[str]:
        raise NotImplementedError

    def env(self) -> dict[str, str]:
        return dict(os.environ)

    def ready(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1):
            return True

    def setup(self, rooms: int, kind: str) -> Setup:
        return Setup(url=f"ws://127.0.0.1:{self.port}")

    def prepare(self) -> None:
        """Before start (databases)."""

    def cleanup(self) -> None:
        """After stop."""

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self) -> None:
        self.prepare()
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            self.command(),
            cwd=self.workdir,
            env=self.env(),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=niceness(self.args),
        )
        try:
            wait_until(self.ready, self.args.start_timeout, "waiting for it to listen", self.proc)
        except BenchError as exc:
            raise BenchError(f"{self.name}: {exc}\n  server log:\n{tail(self.log_path)}") from exc

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(self.stop_grace)
            except subprocess.TimeoutExpired:
                note(f"{self.name} still running {self.stop_grace:g} s after SIGTERM; SIGKILL")
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        if self._log is not None:
            self._log.close()
        self.cleanup()


class YWebsocketServer(Server):
    name = "y-websocket-server"

    def command(self) -> list[str]:
        return ["node", str(BENCH / "node_modules/@y/websocket-server/src/server.js")]

    def env(self) -> dict[str, str]:
        env = dict(os.environ, HOST="127.0.0.1", PORT=str(self.port))
        env.pop("YPERSISTENCE", None)  # in memory
        return env

    def ready(self) -> bool:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=2) as response:
            return bool(response.status == 200)


class PycrdtWebsocketServer(Server):
    name = "pycrdt-websocket"

    def command(self) -> list[str]:
        python = BENCH / ".venv-ref/bin/python"
        return [str(python), str(BENCH / "ref_pycrdt_server.py"), "--port", str(self.port)]


class JointPlanServer(Server):
    open_keep_writer = False  # rooms unload; reopening reads the stored log
    stop_grace = 15.0  # a graceful shutdown may flush

    def __init__(
        self,
        args: argparse.Namespace,
        workdir: Path,
        database: str,
        extra_env: list[str] | None = None,
    ) -> None:
        super().__init__(args, workdir, extra_env)
        self.database = database
        self.name = f"jointplan-{database}"
        self.dbname = f"jpbench_{dt.datetime.now():%Y%m%d_%H%M%S}_{uuid.uuid4().hex[:6]}"
        self.created_db = False

    def _pg_env(self) -> dict[str, str]:
        return dict(os.environ, PGPASSWORD=self.args.pg_password)

    def _pg(self, tool: str, *extra: str) -> None:
        command = [tool, "-h", self.args.pg_host, "-p", str(self.args.pg_port)]
        command += ["-U", self.args.pg_user, *extra, self.dbname]
        try:
            done = subprocess.run(
                command, env=self._pg_env(), capture_output=True, text=True, timeout=60
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise BenchError(f"{tool} failed: {exc}") from exc
        if done.returncode != 0:
            raise BenchError(f"{' '.join(command)} failed: {done.stderr.strip()}")

    def prepare(self) -> None:
        if self.database == "postgres":
            self._pg("createdb")
            self.created_db = True

    def cleanup(self) -> None:
        if self.created_db and not self.args.keep_data:
            try:
                self._pg("dropdb", "--force")
            except BenchError as exc:
                note(str(exc))

    def command(self) -> list[str]:
        return [self.args.jointplan, "serve", "--host", "127.0.0.1", "--port", str(self.port)]

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["JOINTPLAN_DATA_DIR"] = str(self.workdir / "data")
        env["JOINTPLAN_BASE_URL"] = f"http://127.0.0.1:{self.port}"
        env["JOINTPLAN_ALLOW_SIGNUP"] = "true"
        if self.database == "postgres":
            a = self.args
            env["JOINTPLAN_DATABASE_URL"] = (
                f"postgresql+asyncpg://{a.pg_user}:{a.pg_password}@{a.pg_host}:{a.pg_port}/"
                f"{self.dbname}"
            )
        else:
            env["JOINTPLAN_DATABASE_URL"] = ""
        for item in self.extra_env:
            key, _, value = item.partition("=")
            env[key] = value
        return env

    def ready(self) -> bool:
        url = f"http://127.0.0.1:{self.port}/healthz"
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)

    def setup(self, rooms: int, kind: str) -> Setup:
        base = f"http://127.0.0.1:{self.port}"
        signup = http_json(
            "POST",
            f"{base}/api/auth/signup",
            {
                "email": f"bench-{uuid.uuid4().hex[:8]}@example.com",
                "name": "Bench Runner",
                "password": "bench-password-123",
            },
        )
        token = signup["token"]
        plan = http_json(
            "POST",
            f"{base}/api/plans",
            {
                "title": "Benchmark plan",
                "supplier_name": "Supplier AS",
                "customer_name": "Customer AS",
                "template": "blank",
            },
            token,
        )
        section_kind = "text" if kind == "text" else "activities"
        room_list = []
        for i in range(rooms):
            section = http_json(
                "POST",
                f"{base}/api/plans/{plan['id']}/sections",
                {
                    "title": f"Benchmark section {i + 1}",
                    "kind": section_kind,
                    "owner": "joint",
                    "visibility": "shared",
                },
                token,
            )
            room_list.append({"room": section["id"], "token": token})
        rooms_json = self.workdir / "rooms.json"
        rooms_json.write_text(json.dumps(room_list))
        # Is the live-collaboration endpoint there? Fail clearly rather than let every
        # client retry for the whole sync timeout.
        path = f"/collab/{room_list[0]['room']}?token={token}"
        try:
            status, line = websocket_probe(self.port, path)
        except OSError as exc:
            raise BenchError(f"{self.name}: WebSocket probe of /collab failed: {exc}") from exc
        if status != 101:
            raise BenchError(
                f"{self.name}: /collab/{{section_id}} did not accept a WebSocket ({line!r}); "
                "is JointPlan's live-collaboration endpoint there yet?"
            )
        return Setup(url=f"ws://127.0.0.1:{self.port}/collab", rooms_json=rooms_json, token=token)


def make_server(
    name: str, args: argparse.Namespace, workdir: Path, jointplan_env: list[str] | None = None
) -> Server:
    if name == "jointplan-sqlite":
        return JointPlanServer(args, workdir, "sqlite", jointplan_env)
    if name == "jointplan-postgres":
        return JointPlanServer(args, workdir, "postgres", jointplan_env)
    if name == "y-websocket-server":
        return YWebsocketServer(args, workdir)
    if name == "pycrdt-websocket":
        return PycrdtWebsocketServer(args, workdir)
    raise BenchError(f"unknown target {name!r}; known: {', '.join(TARGETS)}")


# ------------------------------------------------------------------------ tooling


def ensure_tools(args: argparse.Namespace, targets: list[str]) -> None:
    if shutil.which("node") is None:
        raise BenchError("node is not on PATH")
    if not (BENCH / "node_modules/y-websocket").is_dir() or args.npm_ci:
        note("installing bench/node_modules (npm ci)")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=BENCH, check=True, timeout=600)
    if "pycrdt-websocket" in targets:
        venv = BENCH / ".venv-ref"
        if not (venv / "bin/python").exists() or args.reinstall_ref:
            note(f"creating {venv} for the pycrdt-websocket reference server")
            if venv.exists():
                shutil.rmtree(venv)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
            subprocess.run(
                [str(venv / "bin/pip"), "install", "-q", "-r", str(BENCH / "requirements-ref.txt")],
                check=True,
                timeout=900,
            )
    if any(t.startswith("jointplan") for t in targets) and not Path(args.jointplan).exists():
        raise BenchError(f"{args.jointplan} not found (set --jointplan)")


def versions() -> dict[str, Any]:
    info: dict[str, Any] = {"python": platform.python_version(), "platform": platform.platform()}
    try:
        info["node"] = subprocess.run(
            ["node", "--version"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except OSError:
        pass
    for package in ["yjs", "y-websocket", "ws", "@y/websocket-server"]:
        try:
            meta = json.loads((BENCH / "node_modules" / package / "package.json").read_text())
            info[package] = meta["version"]
        except OSError:
            pass
    info["cpus"] = os.cpu_count()
    return info


# ------------------------------------------------------------------------ one run


def parse_load(text: str) -> tuple[int, int, float]:
    try:
        clients, rooms, rate = text.split("/")
        return int(clients), int(rooms), float(rate)
    except ValueError as exc:
        raise BenchError(f"a load is CLIENTS/SECTIONS/EDITS_PER_S, not {text!r}") from exc


def run_node(
    command: list[str], timeout: float, log_path: Path, args: argparse.Namespace
) -> tuple[int, str]:
    """Runs a bench tool; echoes its human output; returns (exit code, stdout)."""
    with log_path.open("wb") as err:
        try:
            done = subprocess.run(
                command,
                cwd=BENCH,
                stdout=subprocess.PIPE,
                stderr=err,
                timeout=timeout,
                preexec_fn=niceness(args),
            )
        except subprocess.TimeoutExpired as exc:
            raise BenchError(
                f"{Path(command[1]).name} did not finish within {timeout:.0f} s"
            ) from exc
    stdout = done.stdout.decode(errors="replace")
    for line in stdout.splitlines():
        if not line.startswith("{"):
            out("    " + line)
    return done.returncode, stdout


def last_json(stdout: str) -> dict[str, Any] | None:
    for line in reversed(stdout.splitlines()):
        if line.startswith("{"):
            try:
                parsed: dict[str, Any] = json.loads(line)
                return parsed
            except json.JSONDecodeError:
                return None
    return None


def wait_until_quiet(root: int, within: float = 30.0, idle: float = 0.05) -> float:
    """Waits until the server's tree uses under `idle` of a core over half a second (its
    start-up work done: JointPlan warms its export worker process, which imports the PDF
    library), so that the measured window holds the load only. Seconds waited."""
    t0 = time.monotonic()
    before = tree_cpu_seconds(root)
    while time.monotonic() - t0 < within:
        time.sleep(0.5)
        now = tree_cpu_seconds(root)
        if now - before < idle * 0.5:
            break
        before = now
    return round(time.monotonic() - t0, 2)


def measured(server: Server, body: Any, args: argparse.Namespace) -> dict[str, Any]:
    """Runs body() while sampling the server; returns the server-side figures."""
    time.sleep(args.settle)
    quiet_after = wait_until_quiet(server.pid)
    cpu0 = tree_cpu_seconds(server.pid)
    rss0 = tree_rss_mib(server.pid)
    busy0 = machine_busy_seconds()
    load0 = os.getloadavg()[0]
    sampler = Sampler(server.pid)
    sampler.start()
    t0 = time.monotonic()
    try:
        result = body()
    finally:
        peak = sampler.stop()
    wall = time.monotonic() - t0
    cpu1 = tree_cpu_seconds(server.pid)
    busy1 = machine_busy_seconds()
    time.sleep(args.final_wait)
    final = tree_rss_mib(server.pid)
    return {
        "tool": result,
        "wall_s": round(wall, 2),
        "quiet_wait_s": quiet_after,
        "server_cpu_s": round(cpu1 - cpu0, 2),
        "server_cpu_pct": round(100 * (cpu1 - cpu0) / wall, 1) if wall else None,
        "server_rss_baseline_mib": round(rss0, 1),
        "server_rss_peak_mib": round(peak, 1),
        "server_rss_final_mib": round(final, 1),
        "machine_busy_s": round(busy1 - busy0, 2),
        "loadavg_1m_before": round(load0, 2),
    }


def run_load(
    target: str, load: str, args: argparse.Namespace, outdir: Path, rep: int = 1
) -> dict[str, Any]:
    clients, rooms, rate = parse_load(load)
    record: dict[str, Any] = {"target": target, "load": load, "clients": clients, "rooms": rooms}
    record["rate"] = rate
    workdir = Path(tempfile.mkdtemp(prefix=f"jpbench-{target}-"))
    server = make_server(target, args, workdir)
    slug = f"{target}-{load.replace('/', '_')}-{rep}"
    try:
        server.start()
        setup = server.setup(rooms, args.kind)
        json_out = outdir / f"{slug}.loadgen.json"
        command = ["node", str(BENCH / "loadgen.mjs"), "--url", setup.url]
        command += ["--clients", str(clients), "--rooms", str(rooms), "--rate", str(rate)]
        command += ["--duration", str(args.duration), "--kind", args.kind]
        command += ["--deflate", args.deflate, "--label", target, "--json-out", str(json_out)]
        command += ["--sync-timeout", str(args.sync_timeout), "--procs", str(args.loadgen_procs)]
        if setup.rooms_json is not None:
            command += ["--rooms-json", str(setup.rooms_json)]
        timeout = args.sync_timeout + args.duration + 5 + 10 * rooms + 60

        def body() -> dict[str, Any] | None:
            code, stdout = run_node(command, timeout, outdir / f"{slug}.loadgen.log", args)
            summary = last_json(stdout)
            if summary is None:
                raise BenchError(f"loadgen exited with {code} and printed no summary")
            return summary

        record.update(measured(server, body, args))
        lg = record["tool"]
        if lg.get("error"):
            record["error"] = lg["error"]
        record["loadgen_cpu_s"] = lg.get("loadgen_cpu_s")
        record["other_cpu_s"] = round(
            record["machine_busy_s"] - record["server_cpu_s"] - (lg.get("loadgen_cpu_s") or 0), 2
        )
        growth = record["server_rss_peak_mib"] - record["server_rss_baseline_mib"]
        record["rss_growth_per_client_mib"] = round(growth / clients, 3)
    except BenchError as exc:
        record["error"] = str(exc)
        note(f"{target} {load}: {exc}")
    finally:
        server.stop()
        record["server_log_errors"], first_error = log_errors(server.log_path)
        if first_error:
            record["server_first_error"] = first_error
        try:
            shutil.copy(server.log_path, outdir / f"{slug}.server.log")
        except OSError:
            pass
        if not args.keep_data:
            shutil.rmtree(workdir, ignore_errors=True)
    return record


def run_open(target: str, args: argparse.Namespace, outdir: Path) -> dict[str, Any]:
    record: dict[str, Any] = {"target": target, "updates": args.open_updates}
    workdir = Path(tempfile.mkdtemp(prefix=f"jpbench-open-{target}-"))
    server = make_server(target, args, workdir, args.open_server_env)
    slug = f"{target}-open"
    try:
        server.start()
        setup = server.setup(1, args.kind)
        command = ["node", str(BENCH / "opensection.mjs"), "--url", setup.url]
        command += ["--updates", str(args.open_updates), "--opens", str(args.open_opens)]
        command += ["--kind", args.kind, "--deflate", args.deflate, "--label", target]
        command += ["--json-out", str(outdir / f"{slug}.json"), "--timeout", str(args.open_timeout)]
        command += ["--rate", str(args.open_rate)]
        if setup.rooms_json is not None:
            room = json.loads(setup.rooms_json.read_text())[0]
            command += ["--room", room["room"], "--token", room["token"]]
        if server.open_keep_writer:
            # In-memory reference servers (pycrdt-websocket drops a room with its last
            # client): the writer stays, and the opens measure a loaded room.
            command += ["--keep-writer"]
        else:
            command += ["--settle", str(args.open_settle)]
        timeout = args.open_timeout + args.open_settle + 30 * args.open_opens + 120

        def body() -> dict[str, Any] | None:
            code, stdout = run_node(command, timeout, outdir / f"{slug}.log", args)
            summary = last_json(stdout)
            if summary is None:
                raise BenchError(f"opensection exited with {code} and printed no summary")
            return summary

        record.update(measured(server, body, args))
        if record["tool"].get("error"):
            record["error"] = record["tool"]["error"]
    except BenchError as exc:
        record["error"] = str(exc)
        note(f"{target} open: {exc}")
    finally:
        server.stop()
        record["server_log_errors"], first_error = log_errors(server.log_path)
        if first_error:
            record["server_first_error"] = first_error
        try:
            shutil.copy(server.log_path, outdir / f"{slug}.server.log")
        except OSError:
            pass
        if not args.keep_data:
            shutil.rmtree(workdir, ignore_errors=True)
    return record


# ------------------------------------------------------------------------ report


def fmt(x: Any, digits: int = 1) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def load_table(records: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| target | load C/D/R | synced | delivered/expected | converged | p50 / p99 / max ms "
        "| server CPU s | server RSS base / peak MiB | RSS growth per client MiB "
        "| loadgen CPU s | other CPU s | server log errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in records:
        lg = r.get("tool") or {}
        if "synced" not in lg:
            error = (r.get("error") or "no result").splitlines()[0]
            lines.append(f"| {r['target']} | {r['load']} | **failed**: {error} ||||||||||")
            continue
        synced = f"{lg['synced']}/{lg['clients']}"
        if lg.get("sync_all_ms") is not None:
            synced += f" ({fmt(lg['sync_all_ms'], 0)} ms)"
        if lg.get("error"):
            lines.append(f"| {r['target']} | {r['load']} | {synced} | **{lg['error']}** ||||||||||")
            continue
        delivered = f"{lg['delivered']}/{lg['expected']}"
        converged = (
            "yes"
            if lg.get("converged")
            else (
                f"NO ({lg.get('rooms_converged')}/{lg['rooms']} rooms, "
                f"fresh {lg.get('fresh_matched')}/{lg['rooms']})"
            )
        )
        latency = f"{fmt(lg.get('p50_ms'))} / {fmt(lg.get('p99_ms'))} / {fmt(lg.get('max_ms'))}"
        rss = f"{fmt(r['server_rss_baseline_mib'])} / {fmt(r['server_rss_peak_mib'])}"
        lines.append(
            f"| {r['target']} | {r['load']} | {synced} | {delivered} | {converged} | {latency} "
            f"| {fmt(r['server_cpu_s'], 2)} | {rss} | {fmt(r['rss_growth_per_client_mib'], 3)} "
            f"| {fmt(r.get('loadgen_cpu_s'), 2)} | {fmt(r.get('other_cpu_s'), 2)} "
            f"| {r.get('server_log_errors', '–')} |"
        )
    return lines


def open_table(records: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| target | updates | written in s | writer left | first open ms | median open ms "
        "| content matches | server CPU s | server RSS peak MiB | server log errors |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in records:
        t = r.get("tool") or {}
        if r.get("error") and not t.get("opens_ms"):
            error = r["error"].splitlines()[0]
            errors = r.get("server_log_errors", "–")
            lines.append(
                f"| {r['target']} | {r['updates']} | **failed**: {error} ||||||| {errors} |"
            )
            continue
        lines.append(
            f"| {r['target']} | {t.get('written')} | {fmt(t.get('confirm_s'), 1)} "
            f"| {'no (in-memory room kept)' if t.get('keep_writer') else 'yes'} "
            f"| {fmt(t.get('first_open_ms'))} | {fmt(t.get('median_open_ms'))} "
            f"| {t.get('opens_matching')}/{len(t.get('opens_ms') or [])} "
            f"| {fmt(r.get('server_cpu_s'), 2)} | {fmt(r.get('server_rss_peak_mib'))} "
            f"| {r.get('server_log_errors', '–')} |"
        )
    return lines


# ------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--targets", default=",".join(TARGETS), help="comma-separated")
    parser.add_argument(
        "--loads", default=DEFAULT_LOADS, help="CLIENTS/SECTIONS/EDITS_PER_S,... or 'none'"
    )
    parser.add_argument("--duration", type=float, default=15, help="seconds of edits per load")
    parser.add_argument("--kind", choices=["text", "items"], default="text")
    parser.add_argument(
        "--deflate",
        choices=["on", "off"],
        default="on",
        help="clients offer permessage-deflate (on: stock)",
    )
    parser.add_argument("--sync-timeout", type=float, default=30)
    parser.add_argument(
        "--loadgen-procs", type=int, default=1, help="load processes the clients are split over"
    )
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="run servers and load tools at this nice increment (e.g. -10, as root) so that "
        "other work on a shared machine disturbs the figures less",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="run every target × load so many times, interleaved"
    )
    parser.add_argument(
        "--settle", type=float, default=1.0, help="seconds between set-up and the baseline sample"
    )
    parser.add_argument(
        "--final-wait",
        type=float,
        default=2.0,
        help="seconds after the clients left before the final RSS sample",
    )
    parser.add_argument("--start-timeout", type=float, default=90)
    parser.add_argument(
        "--open-bench",
        action="store_true",
        help="also time opening a section whose log holds --open-updates updates",
    )
    parser.add_argument("--open-updates", type=int, default=100_000)
    parser.add_argument("--open-opens", type=int, default=5)
    parser.add_argument(
        "--open-settle",
        type=float,
        default=10,
        help="JointPlan: seconds after the writer left (room unload, compaction)",
    )
    parser.add_argument("--open-timeout", type=float, default=600)
    parser.add_argument(
        "--open-rate",
        type=float,
        default=0,
        help="cap the writer at so many updates/s (0: as fast as the server answers)",
    )
    parser.add_argument(
        "--open-server-env",
        action="append",
        metavar="KEY=VALUE",
        help="JointPlan environment for the open benchmark only (repeatable); by default the "
        "per-connection rate limit is lifted so that one writer can fill the log quickly: "
        + " ".join(OPEN_SERVER_ENV),
    )
    parser.add_argument("--jointplan", default=str(REPO / ".venv/bin/jointplan"))
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment for the JointPlan server (repeatable)",
    )
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--pg-user", default="jointplan")
    parser.add_argument("--pg-password", default="jointplan")
    parser.add_argument(
        "--keep-data", action="store_true", help="keep data folders and PostgreSQL databases"
    )
    parser.add_argument("--npm-ci", action="store_true", help="reinstall bench/node_modules")
    parser.add_argument("--reinstall-ref", action="store_true", help="recreate bench/.venv-ref")
    parser.add_argument("--out", default=str(BENCH / "results"))
    args = parser.parse_args(argv)
    if args.open_server_env is None:
        args.open_server_env = list(OPEN_SERVER_ENV)

    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    loads = [] if args.loads.strip() == "none" else [x.strip() for x in args.loads.split(",")]
    try:
        for target in targets:
            if target not in TARGETS:
                raise BenchError(f"unknown target {target!r}; known: {', '.join(TARGETS)}")
        for load in loads:
            parse_load(load)
        ensure_tools(args, targets)
    except (BenchError, subprocess.SubprocessError) as exc:
        note(str(exc))
        return 2

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    outdir = Path(args.out) / stamp
    outdir.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "started": dt.datetime.now().isoformat(timespec="seconds"),
        "config": {k: v for k, v in vars(args).items() if k != "pg_password"},
        "versions": versions(),
        "loads": [],
        "open": [],
    }
    results_path = Path(args.out) / f"run-{stamp}.json"

    def save() -> None:
        results_path.write_text(json.dumps(results, indent=2))

    for rep in range(1, args.repeat + 1):
        for target in targets:
            for load in loads:
                again = f", run {rep}/{args.repeat}" if args.repeat > 1 else ""
                out(f"\n## {target} — {load} (clients/sections/edits per s){again}")
                record = run_load(target, load, args, outdir, rep)
                record["repeat"] = rep
                results["loads"].append(record)
                save()
    if args.open_bench:
        for target in targets:
            out(f"\n## {target} — open a section after {args.open_updates} updates")
            results["open"].append(run_open(target, args, outdir))
            save()
    results["finished"] = dt.datetime.now().isoformat(timespec="seconds")
    save()

    out("")
    out(
        f"# Results {stamp} ({args.duration:g} s per load, kind {args.kind}, "
        f"deflate {args.deflate}, {os.cpu_count()} cores)"
    )
    if results["loads"]:
        out("")
        order = {load: i for i, load in enumerate(loads)}
        rows = sorted(
            results["loads"], key=lambda r: (order[r["load"]], targets.index(r["target"]))
        )
        for line in load_table(rows):
            out(line)
    if results["open"]:
        out("")
        for line in open_table(results["open"]):
            out(line)
    out("")
    out(f"JSON: {results_path}")
    failed = [r for r in results["loads"] + results["open"] if r.get("error")]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
