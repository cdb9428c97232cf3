"""JSON Schemas of the messages, exported to ``docs/schemas/`` for other systems to publish with.

``python -m aftomato.common.schemas docs/schemas`` (``make schemas``) writes them; a test fails
when the committed files differ from what the models say.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from aftomato.common.messages import MESSAGE_TYPES


def schema_documents() -> dict[str, str]:
    """File name → JSON text, one schema per routing key."""
    documents = {}
    for routing_key, model in MESSAGE_TYPES.items():
        schema = model.model_json_schema(mode="validation")
        schema["$id"] = f"urn:aftomato:message:{routing_key}"
        schema["x-routing-key"] = routing_key
        documents[f"{routing_key}.schema.json"] = (
            json.dumps(schema, indent=2, sort_keys=True) + "\n"
        )
    return documents


def export(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schema_documents().items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0] if args else "docs/schemas")
    for path in export(folder):
        print(path)  # noqa: T201 - the command's output is the list of files written
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
