"""The value types of ``aftomato.yaml``: durations, resource quantities, Kubernetes names.

Each is an ``Annotated`` type whose validator raises a ``PydanticCustomError``, so that an error
reads as the rule that was broken (``timeout: '30x' is not a duration like 90, '30m' or '1h30m'``)
rather than as a Python exception.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

from aftomato.common.names import check_parameter_name

MAX_TIMEOUT_SECONDS = 24 * 3600
"""The longest build a project may ask for."""
AWS_VARIABLES = frozenset({"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"})
"""Set in every build pod from the AWS Secret (the artifact upload uses them): not project env."""

_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")
_QUANTITY = re.compile(r"^(\d+(\.\d*)?|\.\d+)(?P<suffix>[numkMGTPE]|[KMGTPE]i|[eE][+-]?\d+)?$")
_SUFFIXES = {"n": "1e-9", "u": "1e-6", "m": "1e-3", "": "1", "k": "1e3", "M": "1e6", "G": "1e9"}
_SUFFIXES |= {"T": "1e12", "P": "1e15", "E": "1e18"}
_SUFFIXES |= {f"{p}i": str(1024 ** (n + 1)) for n, p in enumerate("KMGTPE")}


def _problem(kind: str, message: str) -> PydanticCustomError:
    """An error whose message is shown as it is (no context: braces in values stay literal)."""
    return PydanticCustomError(kind, message)


def parse_duration(value: object) -> object:
    """Seconds as a number, or a duration string: ``"90"``, ``"45s"``, ``"30m"``, ``"1h30m"``."""
    if isinstance(value, bool):
        raise _problem("duration", "a boolean is not a duration")
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.isdigit():
        return int(text)
    match = _DURATION.match(text)
    if not text or match is None:
        raise _problem("duration", f"{value!r} is not a duration like 90, '30m' or '1h30m'")
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def quantity_value(text: str) -> Decimal:
    """A Kubernetes quantity as a number: ``"500m"`` -> 0.5, ``"2Gi"`` -> 2147483648."""
    match = _QUANTITY.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a Kubernetes quantity")
    suffix = match["suffix"] or ""
    number = Decimal(text.removesuffix(suffix))
    if suffix[:1] in {"e", "E"}:
        return number * Decimal(10) ** int(suffix[1:])
    return number * Decimal(_SUFFIXES[suffix])


def _quantity(value: object) -> object:
    if isinstance(value, bool):
        raise _problem("quantity", "a boolean is not a quantity")
    if isinstance(value, int | float):
        value = str(value)
    if isinstance(value, str) and _QUANTITY.match(value) is None:
        raise _problem("quantity", f"{value!r} is not a quantity like '500m', '2' or '512Mi'")
    return value


def _matching(pattern: re.Pattern[str], kind: str, rule: str) -> AfterValidator:
    def check(value: str) -> str:
        if len(value) > 253 or pattern.match(value) is None:
            raise _problem(kind, f"{value!r} is not {rule}")
        return value

    return AfterValidator(check)


def _label_key(value: str) -> str:
    prefix, slash, name = value.rpartition("/")
    prefix_ok = not slash or (len(prefix) <= 253 and _DNS_SUBDOMAIN.match(prefix) is not None)
    if not prefix_ok or _LABEL_NAME.match(name) is None:
        raise _problem(
            "label_key", f"{value!r} is not a label key like 'disktype' or 'example.com/pool'"
        )
    return value


def _env_name(value: str) -> str:
    try:
        check_parameter_name(value)
    except ValueError as error:
        raise _problem("env_name", str(error).replace("parameter name", "variable name")) from None
    if value in AWS_VARIABLES:
        raise _problem("env_name", f"{value} is set by Aftomato from its AWS Secret")
    return value


Duration = Annotated[int, BeforeValidator(parse_duration)]
Quantity = Annotated[str, BeforeValidator(_quantity)]
DnsLabel = Annotated[
    str, _matching(_DNS_LABEL, "dns_label", "a DNS-1123 label (a-z, 0-9, '-', at most 63)")
]
DnsSubdomain = Annotated[
    str, _matching(_DNS_SUBDOMAIN, "dns_subdomain", "a DNS-1123 name (a-z, 0-9, '-', '.')")
]
LabelKey = Annotated[str, AfterValidator(_label_key)]
LabelValue = Annotated[
    str, _matching(_LABEL_VALUE, "label_value", "a label value (A-Z, a-z, 0-9, '-', '_', '.')")
]
EnvName = Annotated[str, AfterValidator(_env_name)]


def _scalar_text(value: object) -> object:
    if isinstance(value, bool):
        raise _problem("env_value", "a boolean is ambiguous here: quote it ('true', 'yes')")
    return str(value) if isinstance(value, int | float) else value


EnvValue = Annotated[str, BeforeValidator(_scalar_text)]
"""An environment value; YAML numbers become their text, booleans must be quoted."""
