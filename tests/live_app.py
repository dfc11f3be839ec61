"""Start the real portal (`reflex run --env prod`, one port) on a free
loopback port with a throwaway data directory, as a person would run it."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from portal_app.services import passwords

if TYPE_CHECKING:
    from tests.smtp_sink import SmtpSink

ROOT = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT = 600  # a cold first build installs the frontend packages
# A 1x1 PNG.
BRAND_PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
             b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
             b"\x00\x00\x00IEND\xaeB`\x82")


RUNNING: dict[str, "LiveApp"] = {}  # url -> the portal serving it, for helpers given only a page and a url


@dataclass
class LiveApp:
    url: str
    data_dir: Path
    log_path: Path
    process: subprocess.Popen

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(data_dir: Path, port: int, *, set_public_url: bool = True) -> dict[str, str]:
    env = dict(os.environ)
    # What scripts/setup.sh exports, so the fixture also works outside it.
    tools = [str(ROOT / ".venv" / "bin"), str(ROOT / ".tools" / "node_modules" / ".bin")]
    env["PATH"] = os.pathsep.join([*tools, env.get("PATH", "")])
    env.setdefault("REFLEX_USE_SYSTEM_BUN", "1")
    env.update({
        "PORTAL_DATA_DIR": str(data_dir),
        "PORTAL_PORT": str(port),
        "PORTAL_BIND_HOST": "127.0.0.1",
    })
    env.pop("PORTAL_DATABASE_URL", None)
    env.pop("PORTAL_PUBLIC_URL", None)
    if set_public_url:
        # The websocket accepts only this origin, so tests must open exactly it.
        env["PORTAL_PUBLIC_URL"] = f"http://localhost:{port}"
    # Branded like a real instance, so the header logo is exercised too.
    logo = data_dir / "brand.png"
    logo.write_bytes(BRAND_PNG)
    env["PORTAL_LOGO"] = str(logo)
    # Cheap argon2 for this throwaway instance (sign-ins take milliseconds, not
    # a second): honoured only with both the variable naming this data
    # directory and the marker file in it (services/passwords.py).
    (data_dir / passwords.CHEAP_HASHING_MARKER).write_text("written by tests/live_app.py\n")
    env[passwords.CHEAP_HASHING_ENV] = str(data_dir)
    return env


def start(data_dir: Path, *, set_public_url: bool = True, backend_only: bool = False,
          extra_env: Mapping[str, str] | None = None) -> LiveApp:
    """set_public_url=False runs with the default public URL, as a newcomer
    does. backend_only=True starts only the backend (websocket, API, /ping)
    without building the frontend: it can run next to the session's portal,
    whose built pages a second full build in the same .web would overwrite
    (the build bakes in its port). extra_env is set last, over the rest
    (e.g. PORTAL_DATABASE_URL and PORTAL_REDIS_URL for a scaled-out instance)."""
    port = free_port()
    env = app_env(data_dir, port, set_public_url=set_public_url)
    env.update(extra_env or {})
    for cmd in (["migrate"], ["seed-demo"]):
        subprocess.run([sys.executable, "-m", "portal_app", *cmd], cwd=ROOT, env=env, check=True)
    log_path = data_dir / "app.log"
    ports = (["--backend-only"] if backend_only else ["--frontend-port", str(port)]) + ["--backend-port", str(port)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "reflex", "run", "--env", "prod", *ports],
        cwd=ROOT, env=env, stdout=log_path.open("w"), stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True,
    )
    url = env.get("PORTAL_PUBLIC_URL", f"http://localhost:{port}")
    app = LiveApp(url=url, data_dir=data_dir, log_path=log_path, process=proc)
    _wait_until_serving(app, pages=not backend_only)
    RUNNING[app.url] = app
    return app


def _wait_until_serving(app: LiveApp, *, pages: bool = True) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if app.process.poll() is not None:
            raise RuntimeError(f"the portal exited early:\n{app.log()[-4000:]}")
        try:
            if (httpx.get(f"{app.url}/ping", timeout=2).status_code == 200
                    and (not pages or httpx.get(app.url + "/", timeout=5).status_code == 200)):
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    stop(app)
    raise RuntimeError(f"the portal did not start in {STARTUP_TIMEOUT}s:\n{app.log()[-4000:]}")


def stop(app: LiveApp) -> None:
    try:
        os.killpg(app.process.pid, signal.SIGTERM)
        app.process.wait(timeout=20)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(app.process.pid, signal.SIGKILL)
        app.process.wait(timeout=10)


# -- scaled out: several instances on one PostgreSQL and one Redis ------------

@dataclass
class ScaledOut:
    """What several machines behind a reverse proxy run, on this one: portal
    instances (backends, each on its own loopback port and with its own data
    directory, as on separate machines) and job workers, all on one
    PostgreSQL database and one Redis, with one instance secret."""

    apps: list[LiveApp]
    workers: list[subprocess.Popen]
    mail: SmtpSink  # where the workers deliver mail
    env: dict[str, str]  # what every process shares (README, "Running on several machines")

    @property
    def a(self) -> LiveApp:
        return self.apps[0]

    @property
    def b(self) -> LiveApp:
        return self.apps[1]

    @property
    def database_url(self) -> str:
        return self.env["PORTAL_DATABASE_URL"]

    @property
    def redis_url(self) -> str:
        return self.env["PORTAL_REDIS_URL"]


# Reflex's own count on Redis is min(2 x cores + 1, 8) web workers per
# instance (5 here); two are enough for tests to have states cross worker
# processes too.
TEST_WEB_WORKERS = 2


def scaled_out_env(database_url: str, redis_url: str, *, secret_key: str, smtp_port: int,
                   web_workers: int | None) -> dict[str, str]:
    """The settings every instance and worker of one portal shares;
    `web_workers` None leaves Reflex's own count."""
    env = {
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_REDIS_URL": redis_url,
        "PORTAL_SECRET_KEY": secret_key,  # MFA secrets and unsubscribe links must read the same on every machine
        "PORTAL_SMTP_HOST": "127.0.0.1",
        "PORTAL_SMTP_PORT": str(smtp_port),
    }
    if web_workers is not None:
        env["GRANIAN_WORKERS"] = str(web_workers)
    return env


def start_worker(data_dir: Path, extra_env: Mapping[str, str]) -> subprocess.Popen:
    """`python -m portal_app worker` in its own process group, output to
    `<data_dir>/worker.log`."""
    data_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(ROOT / ".venv" / "bin"), env.get("PATH", "")])
    env["PORTAL_DATA_DIR"] = str(data_dir)
    env.update(extra_env)
    return subprocess.Popen([sys.executable, "-m", "portal_app", "worker"], cwd=ROOT, env=env,
                            stdout=(data_dir / "worker.log").open("w"), stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)


def stop_worker(worker: subprocess.Popen) -> None:
    """huey's graceful stop (SIGINT: running jobs finish), then a hard one."""
    try:
        os.killpg(worker.pid, signal.SIGINT)
        worker.wait(timeout=15)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)


def start_scaled_out(base_dir: Path, database_url: str, redis_url: str, mail: SmtpSink, *, instances: int = 2,
                     workers: int = 2, web_workers: int | None = TEST_WEB_WORKERS) -> ScaledOut:
    """The instances one after the other (the first also migrates the
    database and adds the demo data), then the workers. The caller owns the
    database, Redis and the mail sink."""
    env = scaled_out_env(database_url, redis_url, secret_key=secrets.token_urlsafe(48), smtp_port=mail.port,
                         web_workers=web_workers)
    started: list[LiveApp] = []
    running: list[subprocess.Popen] = []
    try:
        for n in range(1, instances + 1):
            (base_dir / f"instance-{n}").mkdir(parents=True, exist_ok=True)
            started.append(start(base_dir / f"instance-{n}", backend_only=True, extra_env=env))
        running.extend(start_worker(base_dir / f"worker-{n}", env) for n in range(1, workers + 1))
    except BaseException:
        for app in started:
            stop(app)
        for worker in running:
            stop_worker(worker)
        raise
    return ScaledOut(apps=started, workers=running, mail=mail, env=env)


def stop_scaled_out(cluster: ScaledOut) -> None:
    for worker in cluster.workers:
        stop_worker(worker)
    for app in cluster.apps:
        stop(app)
