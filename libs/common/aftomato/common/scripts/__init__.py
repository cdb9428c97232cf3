"""The build-scripts repository, read by the scheduler and the api (DESIGN section 5).

- :mod:`~aftomato.common.scripts.repository`: the git working copy (or a plain local folder);
- :mod:`~aftomato.common.scripts.discovery`: the projects in it (folders holding ``build.sh``);
- :mod:`~aftomato.common.scripts.config`: ``aftomato.yaml``, parsed and validated;
- :mod:`~aftomato.common.scripts.decision`: whether a project builds a given request;
- :mod:`~aftomato.common.scripts.catalog`: all of it at one commit, and the reader that refreshes;
- :mod:`~aftomato.common.scripts.settings`: the reader's cache folder, poll interval, git timeout.
"""

from aftomato.common.scripts.catalog import (
    CatalogNotRead,
    Project,
    ScriptsCatalog,
    ScriptsReader,
    read_catalog,
)
from aftomato.common.scripts.config import (
    Concurrency,
    ProjectConfig,
    ProjectConfigError,
    parse_project_config,
)
from aftomato.common.scripts.decision import Decision, decide
from aftomato.common.scripts.repository import ScriptsRepository, ScriptsRepositoryError

__all__ = [
    "CatalogNotRead",
    "Concurrency",
    "Decision",
    "Project",
    "ProjectConfig",
    "ProjectConfigError",
    "ScriptsCatalog",
    "ScriptsReader",
    "ScriptsRepository",
    "ScriptsRepositoryError",
    "decide",
    "parse_project_config",
    "read_catalog",
]
