"""Settings from the environment (and .env), read once through get_settings()."""

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class LogFormat(StrEnum):
    json = "json"
    text = "text"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_ignore_empty=True, extra="ignore")

    DATABASE_URL: str = "sqlite:///./druginfo.db"
    DATA_DIR: Path = Path("data")
    HOST: str = "127.0.0.1"
    PORT: int = 8000
    SEED_ON_STARTUP: bool = True
    RELOAD_INTERVAL_S: float = 10.0  # how often to look for a reseed by another process; 0 = off
    API_KEYS: str = ""
    CORS_ORIGINS: str = "*"
    MAX_BODY_BYTES: int = 16_384
    LOG_FORMAT: LogFormat = LogFormat.json
    LOG_LEVEL: str = "INFO"
    ACCESS_LOG: bool = True  # one line per request on stdout
    RATE_LIMIT_PER_MINUTE: int = Field(default=0, ge=0)  # per API key or client address; 0 = off
    DB_CONNECT_TIMEOUT_S: float = Field(default=30.0, ge=0)  # retry an unreachable database
    SHUTDOWN_TIMEOUT_S: int = Field(default=10, ge=1)  # in-flight requests get this long
    LICENSE: str = (
        "Data derived from US FDA labeling (DailyMed, public domain); see each source. Code MIT."
    )
    DISCLAIMER: str = (
        "For information only, not medical advice. Drug information can be incomplete or out "
        "of date; check the current label and consult a qualified clinician before any change "
        "to treatment."
    )

    @property
    def api_keys(self) -> frozenset[str]:
        return frozenset(k.strip() for k in self.API_KEYS.split(",") if k.strip())

    @property
    def cors_origins(self) -> list[str]:
        return [o.strip() for o in self.CORS_ORIGINS.split(",") if o.strip()]


@lru_cache
def get_settings() -> Settings:
    return Settings()
