"""Label and field selectors, parsed and matched the way the API server does for pods.

Label selectors: ``a=b``, ``a==b``, ``a!=b``, ``a in (x,y)``, ``a notin (x)``, ``a``, ``!a``,
``a>1``, ``a<1``, joined by commas (all must hold). Field selectors: ``field=value``,
``field==value``, ``field!=value`` over the fields pods make selectable. Parse errors raise
``ValueError`` with the server's wording; the HTTP layer answers them with 400.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tests.support.fake_kube import names

_KEY = names.LABEL_KEY_PATTERN
_VALUE = names.LABEL_VALUE_PATTERN
_SPLIT = re.compile(r",(?![^(]*\))")  # commas outside a parenthesised value set
_NOT_EXISTS = re.compile(rf"!\s*(?P<key>{_KEY})")
_SET = re.compile(rf"(?P<key>{_KEY})\s+(?P<op>in|notin)\s*\((?P<values>[^()]*)\)")
_EQUALITY = re.compile(rf"(?P<key>{_KEY})\s*(?P<op>==|!=|=)\s*(?P<value>{_VALUE})")
_ORDER = re.compile(rf"(?P<key>{_KEY})\s*(?P<op>[<>])\s*(?P<value>-?[0-9]+)")
_EXISTS = re.compile(rf"(?P<key>{_KEY})")

_MATCHERS: dict[str, Callable[[str | None, frozenset[str]], bool]] = {
    "=": lambda label, values: label in values,
    "!=": lambda label, values: label not in values,
    "in": lambda label, values: label in values,
    "notin": lambda label, values: label not in values,
    "exists": lambda label, _: label is not None,
    "!": lambda label, _: label is None,
    ">": lambda label, values: _as_int(label) > int(min(values)),
    "<": lambda label, values: _as_int(label, default=2**63) < int(min(values)),
}


def _as_int(label: str | None, default: int = -(2**63)) -> int:
    try:
        return int(label) if label is not None else default
    except ValueError:
        return default


@dataclass(frozen=True)
class Requirement:
    key: str
    operator: str
    values: frozenset[str]

    def matches(self, labels: Mapping[str, str]) -> bool:
        return _MATCHERS[self.operator](labels.get(self.key), self.values)


@dataclass(frozen=True)
class LabelSelector:
    requirements: tuple[Requirement, ...] = ()

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        return all(r.matches(labels or {}) for r in self.requirements)


def parse_label_selector(text: str | None) -> LabelSelector:
    if not text or not text.strip():
        return LabelSelector()
    return LabelSelector(tuple(_requirement(part.strip()) for part in _SPLIT.split(text)))


def _requirement(text: str) -> Requirement:
    if match := _NOT_EXISTS.fullmatch(text):
        return _checked(match["key"], "!", [])
    if match := _SET.fullmatch(text):
        values = [v.strip() for v in match["values"].split(",")]
        if values == [""]:
            raise ValueError(
                f"unable to parse requirement: values set can't be empty for '{match['op']}'"
            )
        return _checked(match["key"], match["op"], values)
    if match := _EQUALITY.fullmatch(text):
        operator = "=" if match["op"] == "==" else match["op"]
        return _checked(match["key"], operator, [match["value"]])
    if match := _ORDER.fullmatch(text):
        return Requirement(match["key"], match["op"], frozenset([match["value"]]))
    if match := _EXISTS.fullmatch(text):
        return _checked(match["key"], "exists", [])
    raise ValueError(f"unable to parse requirement: found {text!r}, expected: a requirement")


def _checked(key: str, operator: str, values: list[str]) -> Requirement:
    problems = names.qualified_name(key)
    for value in values:
        problems += names.label_value(value)
    if problems:
        raise ValueError(f"unable to parse requirement: {'; '.join(problems)}")
    return Requirement(key, operator, frozenset(values))


_POD_FIELDS: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "metadata.name": lambda pod: pod["metadata"].get("name"),
    "metadata.namespace": lambda pod: pod["metadata"].get("namespace"),
    "spec.nodeName": lambda pod: pod["spec"].get("nodeName"),
    "spec.restartPolicy": lambda pod: pod["spec"].get("restartPolicy"),
    "spec.schedulerName": lambda pod: pod["spec"].get("schedulerName"),
    "spec.serviceAccountName": lambda pod: pod["spec"].get("serviceAccountName"),
    "spec.hostNetwork": lambda pod: "true" if pod["spec"].get("hostNetwork") else "false",
    "status.phase": lambda pod: pod.get("status", {}).get("phase"),
    "status.podIP": lambda pod: pod.get("status", {}).get("podIP"),
    "status.nominatedNodeName": lambda pod: pod.get("status", {}).get("nominatedNodeName"),
}
_FIELD_TERM = re.compile(r"(?P<field>[^=!,]+)(?P<op>==|!=|=)(?P<value>[^,]*)")


@dataclass(frozen=True)
class FieldSelector:
    terms: tuple[tuple[str, bool, str], ...] = ()  # (field, wants equal, value)

    def matches(self, pod: Mapping[str, Any]) -> bool:
        return all(
            (str(_POD_FIELDS[field](pod) or "") == value) is equal
            for field, equal, value in self.terms
        )


def parse_field_selector(text: str | None) -> FieldSelector:
    if not text or not text.strip():
        return FieldSelector()
    terms = []
    for part in text.split(","):
        match = _FIELD_TERM.fullmatch(part.strip())
        if match is None:
            raise ValueError(f"invalid selector: '{text}'; can't understand '{part}'")
        field = match["field"].strip()
        if field not in _POD_FIELDS:
            raise ValueError(f'field label not supported: "{field}"')
        terms.append((field, match["op"] != "!=", match["value"].strip()))
    return FieldSelector(tuple(terms))


@dataclass(frozen=True)
class PodFilter:
    """What one list or watch asked for: a namespace (or all) and both selectors."""

    namespace: str | None = None
    labels: LabelSelector = LabelSelector()
    fields: FieldSelector = FieldSelector()

    def matches(self, pod: Mapping[str, Any]) -> bool:
        meta = pod["metadata"]
        return (
            (self.namespace is None or meta.get("namespace") == self.namespace)
            and self.labels.matches(meta.get("labels"))
            and self.fields.matches(pod)
        )
