from functools import cached_property
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-secret-change-me"


class Settings(BaseSettings):
    """Everything configurable, read from JOINTPLAN_* environment variables."""

    model_config = SettingsConfigDict(env_prefix="JOINTPLAN_", env_file=".env", extra="ignore")

    data_dir: Path = Path("data")
    database_url: str = ""
    base_url: str = "http://127.0.0.1:8000"
    # Further browser origins that may send cookie-authenticated requests (comma-separated).
    allowed_origins: str = ""
    # Addresses or networks (comma-separated) whose X-Forwarded-For is believed.
    trusted_proxies: str = ""
    secret: str = DEV_SECRET
    allow_signup: bool = True

    session_days: int = Field(default=14, ge=1)
    invitation_days: int = Field(default=14, ge=1)
    login_max_failures: int = Field(default=5, ge=1)
    login_lockout_seconds: int = Field(default=60, ge=1)
    login_max_lockout_seconds: int = Field(default=900, ge=1)
    login_throttle_entries: int = Field(default=50_000, ge=100)
    password_reset_minutes: int = Field(default=60, ge=1)

    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "JointPlan <noreply@localhost>"
    smtp_starttls: bool = True
    digest_interval_minutes: float = Field(default=60, gt=0)

    collab_max_message_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    collab_rate_per_second: float = Field(default=100, gt=0)
    collab_rate_burst: float = Field(default=1000, ge=1)
    collab_max_queued_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    collab_room_grace_seconds: float = Field(default=10, ge=0)
    collab_compact_threshold: int = Field(default=500, ge=1)
    collab_recheck_seconds: float = Field(default=30, gt=0)
    ws_per_message_deflate: bool = False

    # Front-door and work budgets (docs/limits.md).
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    work_threads: int = Field(default=2, ge=1)
    work_processes: int = Field(default=1, ge=1)
    work_prewarm: bool = True
    work_seconds: float = Field(default=30, gt=0)
    export_pdf_max_chars: int = Field(default=250_000, ge=1000)
    export_md_max_chars: int = Field(default=8_000_000, ge=1000)
    http_keep_alive_seconds: int = Field(default=5, ge=1)
    http_header_seconds: float = Field(default=10, gt=0)
    # A WebSocket whose peer is gone without a close (a cut network) is found by a ping it does
    # not answer: dead after at most twice this, and its presence leaves the room then.
    ws_ping_seconds: float = Field(default=3, gt=0)

    web_dist: Path | None = None
    log_level: str = "info"

    @cached_property
    def effective_database_url(self) -> str:
        url = self.database_url
        if url.startswith(("postgres://", "postgresql://")):
            url = "postgresql+asyncpg://" + url.split("://", 1)[1]
        if url:
            return url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'jointplan.sqlite3').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def production(self) -> bool:
        """An https base URL means a real deployment: no development defaults allowed."""
        return self.secure_cookies

    @cached_property
    def origins(self) -> frozenset[str]:
        """Browser origins trusted with the session cookie: the base URL's and the extra ones."""
        extra = [o for o in self.allowed_origins.split(",") if o.strip()]
        return frozenset(normalize_origin(o) for o in [self.base_url, *extra])

    def refuse_unsafe(self) -> None:
        """Raises ValueError for settings a production server must not run with."""
        if self.production and (self.secret == DEV_SECRET or len(self.secret) < 16):
            raise ValueError(
                "JOINTPLAN_SECRET is the development default (or shorter than 16 characters) "
                "while JOINTPLAN_BASE_URL is https: set a long random secret, e.g. "
                '`python -c "import secrets; print(secrets.token_urlsafe(32))"`.'
            )

    @property
    def trusted_proxy_list(self) -> list[str]:
        return [p.strip() for p in self.trusted_proxies.split(",") if p.strip()]

    @property
    def smtp_enabled(self) -> bool:
        return bool(self.smtp_host)


def normalize_origin(url: str) -> str:
    """`scheme://host[:port]` as a browser sends it in `Origin` (default ports left out)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    if port is None or (scheme, port) in (("http", 80), ("https", 443)):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]
