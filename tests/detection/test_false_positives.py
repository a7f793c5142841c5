"""Correctly isolated APIs that look suspicious must give no finding of any verdict."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from detection_support import run_in_process

FP = Path(__file__).resolve().parent / "fp"


def test_identifiers_numbered_per_tenant_are_not_foreign() -> None:
    # Every tenant has its own order 1: sending "the victim's" id 1 reaches the attacker's own order.
    sys.path.insert(0, str(FP))
    try:
        module = importlib.import_module("per_tenant_ids")
    finally:
        sys.path.remove(str(FP))
    result = run_in_process(module.app, FP / "per_tenant_ids.toml", tenants=3)
    assert result.complete
    assert result.findings == []
    assert result.errors == []
    skipped = result.coverage["PUT /orders/{order_id}"].skipped
    assert "tenant-b's identifiers via path order_id are the same as tenant-a's" in skipped
