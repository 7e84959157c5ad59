"""Settings from the environment (and .env), read once through get_settings()."""

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


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
