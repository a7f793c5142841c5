"""The checks of a config that need the API: every operation it names must exist and fit its use."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..allowing import AllowRule
from ..errors import ConfigurationError, did_you_mean
from ..model import SharingRule
from ..operations import Operation


def check_against_api(
    *,
    operations: Mapping[str, Operation],
    exclude: Iterable[str] = (),
    shares: Iterable[SharingRule] = (),
    allow: Iterable[AllowRule] = (),
) -> None:
    """Raise ConfigurationError for an excluded, sharing or allowed operation the API lacks, or a share
    without an id."""
    for label in exclude:
        if label not in operations:
            raise ConfigurationError(
                f"api.exclude names {label!r}, which is no operation of the API."
                f"{did_you_mean(label, operations)} Write labels as 'METHOD /path'.",
                setting="api.exclude",
                value=label,
            )
    for rule in shares:
        if rule.operation not in operations:
            raise ConfigurationError(
                f"api.shares: the API has no operation {rule.operation!r}."
                f"{did_you_mean(rule.operation, operations)} Use its label as 'METHOD /path'.",
                setting="api.shares",
                value=rule.operation,
            )
        if not operations[rule.operation].slots:
            raise ConfigurationError(
                f"api.shares: {rule.operation} takes no identifier, so it names no object to share. "
                "List the operation that shares one object, such as 'POST /orders/{order_id}/shares'.",
                setting="api.shares",
                value=rule.operation,
            )
    for number, allowed in enumerate(allow, start=1):
        if allowed.operation not in operations:
            raise ConfigurationError(
                f"allow rule {number}: the API has no operation {allowed.operation!r}."
                f"{did_you_mean(allowed.operation, operations)} Write the label as the harness prints it: "
                "'METHOD /path'.",
                setting=f"allow[{number - 1}].operation",
                value=allowed.operation,
            )
