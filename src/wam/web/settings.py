"""Settings of the web application, read from ``WAM_*`` environment variables.

The session secret is never in the repository: it comes from ``WAM_SECRET_KEY``; in
development, when it is not set, one is generated on first start and kept in a file beside
the SQLite database (or in the working directory for a server database), readable only by
its owner. In production a missing secret is an error.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from wam.services.setup import sqlite_file


class WebSettings(BaseSettings):
    """Every setting of ``wam serve``; the environment variable is ``WAM_`` + the upper-cased name."""

    model_config = SettingsConfigDict(env_prefix="WAM_", extra="ignore")

    database_url: str = "sqlite:///wam.db"
    secret_key: str | None = None
    environment: Literal["development", "production"] = "development"
    # cookies are marked Secure when this is true, when the request came over HTTPS, and always
    # when trusted_proxies is set (a TLS-terminating proxy in front)
    secure_cookies: bool = False
    # the addresses (or networks, e.g. 10.0.0.0/8) of the reverse proxies whose X-Forwarded-For
    # and X-Forwarded-Proto are believed, separated by commas; none by default
    trusted_proxies: str = ""
    session_hours: int = 12
    token_days: int = 90
    login_max_failures: int = Field(5, ge=1)  # failures of a name from one address before waits begin
    login_max_address_failures: int = Field(20, ge=1)  # failures from one address (any name) before waits begin
    login_window_seconds: int = Field(900, ge=1)  # how long a failure counts; also the longest wait
    login_delay_seconds: float = Field(2.0, gt=0, le=60)  # the first wait; each further failure doubles it
    login_address_cap_seconds: float = Field(60.0, gt=0)  # the longest wait for an address (a NAT's users)
    # how long a worker trusts a session it looked up; a sign-out, password change or revoked
    # grant made in another process (the command line, another worker) takes this long to apply
    session_cache_seconds: float = Field(5, ge=0, le=60)
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    gzip: bool = True  # compress responses: pages must stay usable on a 256 kbit/s link
    count_interval_days: int = Field(30, ge=1, le=3650)  # a store not counted for longer is "count due" on home


def trusted_proxies(settings: WebSettings) -> list[str]:
    return [p.strip() for p in settings.trusted_proxies.split(",") if p.strip()]


def secret_file(settings: WebSettings) -> Path:
    database = sqlite_file(settings.database_url)
    if database is not None:
        return database.with_name(database.name + ".secret-key")
    return Path.cwd() / "wam.secret-key"


def resolve_secret(settings: WebSettings) -> str:
    """Return the session secret: the setting, or (development only) the one kept beside the database."""
    if settings.secret_key:
        if len(settings.secret_key) < 32:
            raise ValueError("WAM_SECRET_KEY must be at least 32 characters")
        return settings.secret_key
    if settings.environment == "production":
        raise ValueError("set WAM_SECRET_KEY: production never generates its own session secret")
    path = secret_file(settings)
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value
