"""What the SDK workflows and the SDK benchmark share: the two SDK virtualenvs, our server on a free
loopback port, and an owner key minted with our own services.

The SDKs pin incompatible numpy/pandas versions, so each lives in its own virtualenv under var/
(created on first use, reused afterwards); they talk to our server over HTTP only.
"""

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var"
SDKS = {
    "v1": (VAR / "sdk-v1", ["argilla-v1==1.29.1", "datasets<3", "pyarrow<18", "pandas<2.3"], "argilla_v1"),
    "v2": (VAR / "sdk-v2", ["argilla==2.8.0", "requests"], "argilla"),
}


def sdk_python(name: str) -> Path:
    """The interpreter of SDK `name`'s virtualenv, created and installed when missing."""
    venv, requirements, module = SDKS[name]
    python = venv / "bin" / "python"
    check = [str(python), "-c", f"import {module}"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return python
    print(f"[argilla-sdk] creating {venv.relative_to(ROOT)} ({', '.join(requirements)})", flush=True)
    subprocess.run(["python3.11", "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", *requirements], check=True)
    subprocess.run(check, check=True)
    return python


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def owner_create(prefix: str) -> tuple[object, str]:
    """A fresh owner and their API key, made the way our own setup makes them."""
    from accounts.services import user_create

    return user_create(actor=None, username=f"{prefix}-owner", is_owner=True, create_api_key=True)


def run_id() -> str:
    return secrets.token_hex(3)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """Our app under gunicorn on 127.0.0.1 with the caller's environment (DATABASE_URL included)."""

    def __init__(self, workers: int = 2, log: Path | None = None):
        self.port = free_port()
        self.workers = workers
        self.log = log or VAR / "argilla-sdk-server.log"
        self.process = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Server":
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base", "DEBUG": "0"}
        env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
        gunicorn = Path(sys.executable).parent / "gunicorn"
        command = [str(gunicorn), "config.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
                   "--workers", str(self.workers), "--timeout", "120"]
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = open(self.log, "w")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited; see {self.log}")
            try:
                urllib.request.urlopen(f"{self.url}/argilla/api/_info", timeout=2)
            except urllib.error.HTTPError:
                return self  # 401 without a key: it is up
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"the server did not start within 60 s; see {self.log}")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log_file.close()
