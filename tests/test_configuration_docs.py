"""The configuration reference names every variable that any settings group reads."""

from pathlib import Path

from aftomato.api import settings as api_settings
from aftomato.cli.embedded import settings as up_settings
from aftomato.common import settings
from aftomato.common.scripts import settings as scripts_settings
from aftomato.ingest import settings as ingest_settings
from aftomato.scheduler import pod_settings
from aftomato.scheduler import settings as scheduler_settings
from aftomato.watcher import settings as watcher_settings

REFERENCE = Path(__file__).parents[1] / "docs" / "configuration.md"
MODULES = [
    settings,
    ingest_settings,
    scripts_settings,
    scheduler_settings,
    pod_settings,
    watcher_settings,
    api_settings,
    up_settings,
]


def settings_groups() -> list[type[settings.SettingsGroup]]:
    return [
        value
        for module in MODULES
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, settings.SettingsGroup)
        and value is not settings.SettingsGroup
    ]


def test_every_variable_is_documented() -> None:
    text = REFERENCE.read_text()
    groups = settings_groups()
    assert len(groups) >= 12
    missing = [
        field.alias
        for group in groups
        for field in group.model_fields.values()
        if f"`{field.alias}`" not in text
    ]
    assert not missing, f"add to docs/configuration.md: {missing}"
