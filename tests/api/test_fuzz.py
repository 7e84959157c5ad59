"""schemathesis over the app's own OpenAPI: every operation, every check, 100 cases each."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from app.catalog import seed as seed_service
from app.config import get_settings
from app.db import get_engine
from app.main import create_app, refresh_read_model

app = create_app()
seed_service.seed(get_engine(), get_settings().DATA_DIR, force=False)
refresh_read_model(app)

schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.mark.fuzz
@schema.parametrize()
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi(case: schemathesis.Case) -> None:
    case.call_and_validate()
