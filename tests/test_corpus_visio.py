"""The case the French sovereignty debate cites: Visio (La Suite Meet), told by depscan alone.

"A US open-source brick, hosted at Outscale": LiveKit's packages and images are
LiveKit's (US), plugins that call a hosted API show the service behind them,
DINUM's own images are the French State's, and an inventory that declares
Outscale hosting shows a French host under it. Skipped on a plain clone.
"""

from __future__ import annotations

import json

import pytest

from conftest import CORPUS, run_cli

VISIO = CORPUS / "visio"
if not VISIO.exists():
    pytest.skip("shared corpus not available (../shared/corpus/visio)", allow_module_level=True)


@pytest.fixture(scope="module")
def report() -> dict:
    run = run_cli("scan", str(VISIO), "--no-installed", "--format", "json", "--fail-on", "none")
    assert run.code == 0, run.stderr
    return run.json()


def _base(component: dict) -> str:
    return (component.get("purl") or component["name"]).split("@")[0]


def test_livekit_packages_and_images_are_livekit_in_the_us(report):
    livekit = [
        c
        for c in report["components"]
        if _base(c)
        in ("pkg:pypi/livekit", "pkg:pypi/livekit-api", "pkg:pypi/livekit-protocol", "pkg:npm/livekit-client")
        or _base(c).startswith(("pkg:pypi/livekit-agents", "pkg:npm/%40livekit/", "pkg:docker/livekit/"))
    ]
    assert len(livekit) >= 10
    assert {(c["vendor"] or {}).get("controller") for c in livekit} == {"livekit"}
    assert {c["vendor"]["country"] for c in livekit} == {"US"}
    images = [c for c in livekit if _base(c).startswith("pkg:docker/livekit/")]
    assert images and all(c["kind"] in ("infrastructure", "tooling") for c in images)


def test_a_plugin_shows_the_hosted_service_it_binds_to(report):
    [deepgram] = [c for c in report["components"] if _base(c) == "pkg:pypi/livekit-plugins-deepgram"]
    assert deepgram["vendor"]["controller"] == "livekit"  # LiveKit publishes the plugin
    assert deepgram["implies"]["id"] == "deepgram" and deepgram["implies"]["country"] == "US"
    assert deepgram["kind"] == "sdk"


def test_dinum_images_are_the_french_states(report):
    images = [c for c in report["components"] if _base(c).startswith("pkg:docker/lasuite/")]
    assert len(images) >= 3
    assert {(c["vendor"]["controller"], c["vendor"]["country"], c["vendor"]["eu"]) for c in images} == {
        ("dinum", "FR", True)
    }


def test_the_portfolio_shows_a_french_host_a_us_media_brick_and_us_saas(tmp_path):
    inventory = tmp_path / "inventory.toml"
    inventory.write_text(
        '[inventory]\nname = "Visio"\n\n[[application]]\nname = "visio"\ncriticality = "critical"\n'
        f"paths = [{json.dumps(str(VISIO))}]\n"
        'hosting = ["outscale"]\n',
        encoding="utf-8",
    )
    run = run_cli("inventory", "scan", str(inventory), "--format", "json")
    assert run.code == 0, run.stderr
    [application] = run.json()["applications"]
    [host] = [d for d in application["declared"] if d["role"] == "hosting"]
    assert (host["vendor"], host["country"], host["eu"]) == ("outscale", "FR", True)
    controllers = {c["id"]: c for c in run.json()["controllers"]}
    assert controllers["livekit"]["country"] == "US"
    for service in ("deepgram", "openai", "posthog"):
        assert service in controllers and controllers[service]["country"] == "US", service
