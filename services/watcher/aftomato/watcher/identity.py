"""Which build a pod runs: its id from the label, the exact names from the annotations."""

from __future__ import annotations

from dataclasses import dataclass

from aftomato.watcher.pod_source import Pod

BUILD_ID_LABEL = "aftomato.io/build-id"
PROJECT_ANNOTATION = "aftomato.io/project-key"
BRANCH_ANNOTATION = "aftomato.io/branch"


@dataclass(frozen=True)
class PodIdentity:
    pod_name: str
    build_id: str
    project_key: str
    branch: str

    @classmethod
    def of(cls, pod: Pod) -> PodIdentity | None:
        """None for a pod that lacks what every Aftomato build pod carries."""
        metadata = pod.get("metadata") or {}
        labels = metadata.get("labels") or {}
        notes = metadata.get("annotations") or {}
        parts = (
            metadata.get("name"),
            labels.get(BUILD_ID_LABEL),
            notes.get(PROJECT_ANNOTATION),
            notes.get(BRANCH_ANNOTATION),
        )
        if not all(isinstance(part, str) and part for part in parts):
            return None
        name, build_id, project_key, branch = (str(part) for part in parts)
        return cls(name, build_id, project_key, branch)
