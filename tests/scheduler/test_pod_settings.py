import pytest

from aftomato.common.settings import SettingsError
from aftomato.scheduler.pod_settings import PodContext, PodSettings


def test_defaults() -> None:
    pod = PodSettings()

    assert pod.image == "aftomato/build-base:latest"
    assert (pod.timeout_seconds, pod.kill_grace_seconds, pod.termination_grace_seconds) == (
        3600,
        10,
        15,
    )
    assert pod.aws_secret == "aftomato-aws-credentials"
    assert pod.service_account is None
    assert pod.default_resources() == {
        "requests": {"cpu": "500m", "memory": "512Mi"},
        "limits": {"memory": "2Gi"},
    }


def test_the_context_reads_every_group() -> None:
    context = PodContext.from_environment(
        {
            "AFTOMATO_BUILD_SCRIPTS_REPO": "https://git.example.com/s.git",
            "AFTOMATO_BUILD_SCRIPTS_BRANCH": "ci",
            "AFTOMATO_BUILD_NAMESPACE": "ci-builds",
            "AFTOMATO_ARTIFACTS_BUCKET": "my-artifacts",
            "AFTOMATO_BUILD_CPU_LIMIT": "2",
            "AFTOMATO_BUILD_MEMORY_LIMIT": "",
        }
    )

    assert (context.scripts.repo, context.scripts.branch) == ("https://git.example.com/s.git", "ci")
    assert context.namespace == "ci-builds"
    assert context.aws.artifacts_bucket == "my-artifacts"
    assert context.pod.default_resources()["limits"] == {"cpu": "2", "memory": "2Gi"}


@pytest.mark.parametrize(
    ("variables", "problem"),
    [
        ({"AFTOMATO_BUILD_MEMORY_LIMIT": "256Mi"}, "AFTOMATO_BUILD_MEMORY_LIMIT is below the"),
        ({"AFTOMATO_BUILD_CPU_LIMIT": "100m"}, "AFTOMATO_BUILD_CPU_LIMIT is below the request"),
        ({"AFTOMATO_BUILD_CPU_REQUEST": "lots"}, "AFTOMATO_BUILD_CPU_REQUEST 'lots' is not a"),
        ({"AFTOMATO_BUILD_AWS_SECRET": "AWS"}, "AFTOMATO_BUILD_AWS_SECRET 'AWS' is not a DNS"),
        ({"AFTOMATO_BUILD_TIMEOUT_SECONDS": "0"}, "AFTOMATO_BUILD_TIMEOUT_SECONDS Input should"),
        ({"AFTOMATO_KILL_GRACE_SECONDS": "-1"}, "AFTOMATO_KILL_GRACE_SECONDS Input should"),
    ],
)
def test_bad_settings_name_the_variable(variables: dict[str, str], problem: str) -> None:
    environ = {"AFTOMATO_BUILD_SCRIPTS_REPO": "https://git.example.com/s.git", **variables}
    with pytest.raises(SettingsError, match=problem):
        PodContext.from_environment(environ)
