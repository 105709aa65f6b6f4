"""The licence and the list of third-party files stay true to what the repository ships."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("package_json", ["voucher/verifier/package.json", "tests/vendor/package.json", "bench/package.json"])
def test_every_pinned_browser_library_is_listed_with_its_version(package_json):
    listed = (ROOT / "THIRD_PARTY.md").read_text(encoding="utf-8")
    manifest = json.loads((ROOT / package_json).read_text(encoding="utf-8"))
    pins = {**manifest.get("dependencies", {}), **manifest.get("devDependencies", {})}
    assert pins
    for name, version in pins.items():
        assert f"`{name}`" in listed and f"| {version} |" in listed.split(f"`{name}`", 1)[1].split("\n", 1)[0], name


def test_the_licence_is_the_eupl_1_2_in_the_file_and_the_metadata():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.lstrip().startswith("EUROPEAN UNION PUBLIC LICENCE v. 1.2") and "15. Applicable Law" in text
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "EUPL-1.2" and project["license-files"] == ["LICENSE"]
