import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from aftomato.common.scripts.config import (
    Concurrency,
    ProjectConfig,
    ProjectConfigError,
    parse_project_config,
)
from aftomato.common.scripts.fields import quantity_value

EVERY_FIELD = """
image: registry.example.com/ci/node:20
timeout: 1h30m
branches: main|release/.*
tags: true
pull_requests: false
concurrency: cancel-previous
resources:
  requests: {cpu: 2, memory: 1Gi, ephemeral-storage: 10Gi}
  limits: {cpu: "4", memory: 4Gi}
env:
  NODE_ENV: test
  PORT: 8080
  RATIO: 0.5
secrets: [npm-token, registry.credentials]
node_selector:
  disktype: ssd
  kubernetes.io/arch: amd64
tolerations:
  - {key: dedicated, operator: Equal, value: ci, effect: NoSchedule}
  - {key: spot, operator: Exists, effect: NoExecute, tolerationSeconds: 60}
  - {operator: Exists}
service_account: ci-builder
sidecars:
  - name: postgres
    image: postgres:16
    env: [{name: POSTGRES_PASSWORD, value: test}]
"""


def test_a_project_without_a_file_has_the_defaults() -> None:
    config = parse_project_config("")

    assert config == ProjectConfig()
    assert config.image is None
    assert config.timeout is None
    assert config.branches == ".*"
    assert config.tags is False
    assert config.pull_requests is True
    assert config.concurrency is Concurrency.QUEUE
    assert config.resources.requests.as_manifest() == {}
    assert (config.env, config.secrets, config.node_selector) == ({}, (), {})
    assert (config.tolerations, config.service_account, config.sidecars) == ((), None, ())


def test_every_field() -> None:
    config = parse_project_config(EVERY_FIELD)

    assert config.image == "registry.example.com/ci/node:20"
    assert config.timeout == 5400
    assert config.manages_branch("release/2.0")
    assert (config.tags, config.pull_requests) == (True, False)
    assert config.concurrency is Concurrency.CANCEL_PREVIOUS
    assert config.resources.requests.as_manifest() == {
        "cpu": "2",
        "memory": "1Gi",
        "ephemeral-storage": "10Gi",
    }
    assert config.resources.limits.as_manifest() == {"cpu": "4", "memory": "4Gi"}
    assert config.env == {"NODE_ENV": "test", "PORT": "8080", "RATIO": "0.5"}
    assert config.secrets == ("npm-token", "registry.credentials")
    assert config.node_selector == {"disktype": "ssd", "kubernetes.io/arch": "amd64"}
    assert [t.as_manifest() for t in config.tolerations] == [
        {"key": "dedicated", "operator": "Equal", "value": "ci", "effect": "NoSchedule"},
        {"key": "spot", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 60},
        {"operator": "Exists"},
    ]
    assert config.service_account == "ci-builder"
    assert config.sidecars[0].as_manifest() == {
        "name": "postgres",
        "image": "postgres:16",
        "restartPolicy": "Always",
        "env": [{"name": "POSTGRES_PASSWORD", "value": "test"}],
    }


def test_the_config_is_frozen() -> None:
    config = parse_project_config("tags: true")
    with pytest.raises(ValueError, match="frozen"):
        config.tags = False  # type: ignore[misc]


@pytest.mark.parametrize(
    ("timeout", "seconds"),
    [(90, 90), ("90", 90), ("45s", 45), ("30m", 1800), ("1h", 3600), ("1h30m", 5400),
     ("2h0m5s", 7205), ("24h", 86400)],
)  # fmt: skip
def test_timeouts(timeout: object, seconds: int) -> None:
    assert ProjectConfig.model_validate({"timeout": timeout}).timeout == seconds


@pytest.mark.parametrize(
    ("timeout", "problem"),
    [
        ("30x", "timeout: '30x' is not a duration like 90, '30m' or '1h30m'"),
        ("", "timeout: '' is not a duration"),
        ("m", "timeout: 'm' is not a duration"),
        ("1m1h", "timeout: '1m1h' is not a duration"),
        (0, "timeout: Input should be greater than or equal to 1"),
        ("0s", "timeout: Input should be greater than or equal to 1"),
        ("25h", "timeout: Input should be less than or equal to 86400"),
        (True, "timeout: a boolean is not a duration"),
        (1.5, "timeout: Input should be a valid integer"),
    ],
)
def test_bad_timeouts_are_named(timeout: object, problem: str) -> None:
    with pytest.raises(ProjectConfigError, match=f"^aftomato.yaml: {_re(problem)}"):
        parse_project_config(_yaml({"timeout": timeout}))


BAD_FIELDS = [
    ("concurrency: parallel", "concurrency: Input should be 'queue', 'supersede' or "
     "'cancel-previous'"),
    ("imgae: node:20", "imgae: unknown field (known: image, timeout, branches,"),
    ("image: ''", "image: String should have at least 1 character"),
    ("branches: 'feature/(x'", "branches: not a valid regular expression: missing ), "),
    ("tags: maybe", "tags: Input should be a valid boolean"),
    ("pull_requests: [1]", "pull_requests: Input should be a valid boolean"),
    ("resources: {requests: {cpu: lots}}", "resources.requests.cpu: 'lots' is not a quantity"),
    ("resources: {requests: {memory: -1Gi}}", "resources.requests.memory: '-1Gi' is not a"),
    ("resources: {requests: {cpu: true}}", "resources.requests.cpu: a boolean is not a quantity"),
    ("resources: {requests: {gpu: 1}}", "resources.requests.gpu: unknown field"),
    ("resources: {limit: {}}", "resources.limit: unknown field"),
    ("resources: {requests: {memory: 4Gi}, limits: {memory: 2Gi}}",
     "resources: requests.memory (4Gi) is above limits.memory (2Gi)"),
    ("env: {1BAD: x}", "env.1BAD: variable name '1BAD' is not a valid environment variable name"),
    ("env: {BUILD_ID: x}", "env.BUILD_ID: variable name 'BUILD_ID' is reserved by Aftomato"),
    ("env: {AFTOMATO_X: x}", "env.AFTOMATO_X: variable name 'AFTOMATO_X' is reserved"),
    ("env: {AWS_ACCESS_KEY_ID: x}", "env.AWS_ACCESS_KEY_ID: AWS_ACCESS_KEY_ID is set by Aftomato"),
    ("env: {DEBUG: yes}", "env.DEBUG: a boolean is ambiguous here: quote it"),
    ("env: {EMPTY: }", "env.EMPTY: Input should be a valid string"),
    ("env: [A]", "env: Input should be a valid dictionary"),
    ("secrets: [Npm_Token]", "secrets[0]: 'Npm_Token' is not a DNS-1123 name"),
    ("secrets: npm-token", "secrets: Input should be a valid tuple"),
    ("node_selector: {'bad key!': x}", "node_selector.bad key!: 'bad key!' is not a label key"),
    ("node_selector: {'/x': y}", "node_selector./x: '/x' is not a label key"),
    ("node_selector: {disk: 'not ok'}", "node_selector.disk: 'not ok' is not a label value"),
    ("tolerations: [{operator: Maybe}]", "tolerations[0].operator: Input should be 'Exists' or "
     "'Equal'"),
    ("tolerations: [{key: a, effect: Never}]", "tolerations[0].effect: Input should be "
     "'NoSchedule', 'PreferNoSchedule' or 'NoExecute'"),
    ("tolerations: [{key: a, operator: Exists, value: b}]",
     "tolerations[0]: value must be empty with operator 'Exists'"),
    ("tolerations: [{value: b}]", "tolerations[0]: operator must be 'Exists' without a key"),
    ("tolerations: [{key: a, tolerationSeconds: 5}]",
     "tolerations[0]: tolerationSeconds needs effect 'NoExecute'"),
    ("tolerations: [{key: a, toleration_seconds: 5}]",
     "tolerations[0].toleration_seconds: unknown field"),
    ("service_account: CI_Builder", "service_account: 'CI_Builder' is not a DNS-1123 name"),
    ("sidecars: [{image: redis}]", "sidecars[0].name: Field required"),
    ("sidecars: [{name: redis}]", "sidecars[0].image: Field required"),
    ("sidecars: [{name: Redis, image: redis}]", "sidecars[0].name: 'Redis' is not a DNS-1123"),
    ("sidecars: [{name: build, image: redis}]",
     "sidecars[0].name: 'build' is the name of Aftomato's container"),
    ("sidecars: [{name: scripts, image: git}]", "sidecars[0].name: 'scripts' is the name of"),
    ("sidecars: [{name: a, image: x}, {name: a, image: y}]",
     "sidecars: sidecar names must differ: ['a']"),
    ("sidecars: [{name: a, image: x, restartPolicy: Never}]",
     "sidecars[0].restartPolicy: Input should be 'Always'"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "problem"), BAD_FIELDS)
def test_errors_name_the_field(text: str, problem: str) -> None:
    with pytest.raises(ProjectConfigError, match=f"^aftomato.yaml: {_re(problem)}"):
        parse_project_config(text)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ProjectConfigError) as caught:
        parse_project_config("concurrency: x\ntimeout: 1d\n")
    assert str(caught.value).count("; ") == 1
    assert "concurrency:" in str(caught.value)
    assert "timeout:" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("image: [", "aftomato.yaml: not valid YAML: .* \\(line 1, column 9\\)"),
        ("\tx: 1", "aftomato.yaml: not valid YAML: "),
        (b"image: \xff\xfe\xfa", "aftomato.yaml: not valid YAML: "),
        ("- a\n- b", "aftomato.yaml: must be a mapping of fields, not a list"),
        ("just text", "aftomato.yaml: must be a mapping of fields, not a str"),
    ],
)
def test_files_that_are_not_a_mapping(text: str | bytes, problem: str) -> None:
    with pytest.raises(ProjectConfigError, match=f"^{problem}"):
        parse_project_config(text)


def test_values_never_become_python_objects() -> None:
    with pytest.raises(ProjectConfigError, match="not valid YAML"):
        parse_project_config("image: !!python/object/apply:os.system ['true']")


def test_the_examples_parse() -> None:
    examples = Path(__file__).resolve().parents[3] / "examples" / "build-scripts"
    for path in examples.rglob("aftomato.yaml"):
        parse_project_config(path.read_bytes())


@pytest.mark.parametrize(
    ("text", "value"),
    [("500m", "0.5"), ("2", "2"), ("1.5", "1.5"), ("512Mi", "536870912"), ("1G", "1e9"),
     ("2Gi", "2147483648"), ("1e3", "1000"), ("100k", "100000"), (".5", "0.5")],
)  # fmt: skip
def test_quantities(text: str, value: str) -> None:
    assert quantity_value(text) == Decimal(value)


def _yaml(data: dict[str, object]) -> str:
    return yaml.safe_dump(data)


def _re(text: str) -> str:
    return re.escape(text)
