"""Under pytest, each finding is in pytest's own JUnit XML (``--junitxml``) as JSON text."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from plugin_support import DISPATCH, DISPATCH_CONFIG

from isolation_harness import Finding

LEAKING = "GET /orders/{order_id}"


def test_each_finding_is_a_json_property_of_its_operations_test_case(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPATCH_VULNERABILITIES", "read-by-id")

    result = project.runpytest_subprocess(
        f"--isolation-schema={DISPATCH}", f"--isolation-config={DISPATCH_CONFIG}", "--junitxml=junit.xml"
    )

    assert result.ret == pytest.ExitCode.TESTS_FAILED
    cases = {case.get("name"): case for case in ET.parse(project.path / "junit.xml").iter("testcase")}
    properties = {
        name: [(prop.get("name"), prop.get("value")) for prop in case.iter("property")]
        for name, case in cases.items()
    }
    # Only the leaking operation has findings; each is the JSON of the finding's dict, whole.
    assert {name for name, found in properties.items() if found} == {LEAKING}
    assert [name for name, _ in properties[LEAKING]] == ["finding", "finding"]
    findings = [json.loads(str(value)) for _, value in properties[LEAKING]]
    assert [Finding.from_dict(finding).to_dict() for finding in findings] == findings
    assert sorted((f["operation"], f["verdict"], f["attacker"], f["victim"]) for f in findings) == [
        (LEAKING, "confirmed", "tenant-a", "tenant-b"),
        (LEAKING, "confirmed", "tenant-b", "tenant-a"),
    ]
