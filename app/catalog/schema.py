"""The JSON Schema of the data files, exported for editors and contributors."""

import json

from app.catalog.models import Drug


def drug_schema() -> dict[str, object]:
    schema = Drug.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://druginfo.example/schema/drug.schema.json"
    return schema


def drug_schema_json() -> str:
    return json.dumps(drug_schema(), indent=2, sort_keys=True) + "\n"
