"""Every environment variable some service's settings read, for checking the chart and compose.

Found by importing every ``*settings.py`` module of the common library and the services, so a
settings group added anywhere counts without a list to keep up to date.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from aftomato.common.settings import SettingsGroup

REPOSITORY = Path(__file__).parents[2]
STANDARD_AWS_VARIABLES = frozenset({"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"})
"""Read by boto3 itself, not by a settings group (DESIGN section 11: standard AWS_* variables)."""


def settings_groups() -> set[type[SettingsGroup]]:
    roots = [REPOSITORY / "libs" / "common", *sorted((REPOSITORY / "services").iterdir())]
    groups: set[type[SettingsGroup]] = set()
    for root in roots:
        for path in sorted((root / "aftomato").rglob("*settings.py")):
            name = ".".join(path.relative_to(root).with_suffix("").parts)
            module = importlib.import_module(name)
            groups |= {
                value
                for value in vars(module).values()
                if isinstance(value, type)
                and issubclass(value, SettingsGroup)
                and value is not SettingsGroup
            }
    return groups


def settings_variables() -> set[str]:
    return {
        field.alias
        for group in settings_groups()
        for field in group.model_fields.values()
        if field.alias
    }


def secret_variables() -> set[str]:
    """Variables whose value is a secret (``SecretStr`` fields): never in a ConfigMap."""
    return {
        field.alias
        for group in settings_groups()
        for field in group.model_fields.values()
        if field.alias and "SecretStr" in str(field.annotation)
    }
