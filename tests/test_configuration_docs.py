"""The configuration reference names every variable the settings groups read."""

from pathlib import Path

from aftomato.common import settings

REFERENCE = Path(__file__).parents[2] / "docs" / "configuration.md"


def test_every_variable_is_documented() -> None:
    text = REFERENCE.read_text()
    groups = [
        value
        for value in vars(settings).values()
        if isinstance(value, type)
        and issubclass(value, settings.SettingsGroup)
        and value is not settings.SettingsGroup
    ]
    assert groups
    missing = [
        field.alias
        for group in groups
        for field in group.model_fields.values()
        if f"`{field.alias}`" not in text
    ]
    assert not missing, f"add to docs/configuration.md: {missing}"
