"""Every environment variable some service's settings read, for checking the chart and compose."""

from __future__ import annotations

from aftomato.api import settings as api_settings
from tests.test_configuration_docs import MODULES, settings_groups

STANDARD_AWS_VARIABLES = frozenset({"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"})
"""Read by boto3 itself, not by a settings group (DESIGN section 11: standard AWS_* variables)."""


def settings_variables() -> set[str]:
    groups = settings_groups()
    if api_settings not in MODULES:  # the api's group, until the documentation test lists it
        groups += [api_settings.ApiSettings]
    return {field.alias for group in groups for field in group.model_fields.values() if field.alias}
