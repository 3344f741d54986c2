"""Packaging and client configuration (no server needed)."""

from __future__ import annotations

import importlib.metadata
import importlib.resources

import httpx
import pytest

import campaign_os
from campaign_os import DEFAULT_BASE_URL, AsyncCampaignOS, CampaignOS


def test_version_and_typing_marker() -> None:
    assert campaign_os.__version__ == "0.1.0" == importlib.metadata.version("campaign-os")
    assert importlib.resources.files("campaign_os").joinpath("py.typed").is_file()


def test_models_are_re_exported() -> None:
    from campaign_os.models import ApiKeyOut, MeOut, Problem, SessionOut

    assert {ApiKeyOut.__name__, MeOut.__name__, Problem.__name__, SessionOut.__name__} <= set(
        campaign_os.models.__all__
    )


def test_base_url_comes_from_the_argument_then_the_environment_then_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CAMPAIGN_OS_BASE_URL", "http://env.example:1234/")
    with CampaignOS(base_url="http://arg.example/") as cos:
        assert cos.base_url == "http://arg.example"
    with CampaignOS() as cos:
        assert cos.base_url == "http://env.example:1234"
    monkeypatch.delenv("CAMPAIGN_OS_BASE_URL")
    with CampaignOS() as cos:
        assert cos.base_url == DEFAULT_BASE_URL == "http://127.0.0.1:8080"


def test_timeout_default_and_credentials() -> None:
    with CampaignOS(api_key="cos_x") as cos:
        assert cos.http_client.timeout == httpx.Timeout(30.0)
        assert cos.http_client.headers["authorization"] == "Bearer cos_x"
        with cos.with_credentials(access_token="jwt") as other:
            assert other.http_client.headers["authorization"] == "Bearer jwt"
    with CampaignOS(timeout=5) as cos:
        assert cos.http_client.timeout == httpx.Timeout(5.0)
        assert "authorization" not in cos.http_client.headers
    with pytest.raises(ValueError):
        CampaignOS(api_key="cos_x", access_token="jwt")


def test_async_client_is_configured_alike() -> None:
    cos = AsyncCampaignOS(api_key="cos_x", timeout=7, base_url="http://a.example")
    assert cos.http_client.timeout == httpx.Timeout(7.0)
    assert cos.http_client.headers["authorization"] == "Bearer cos_x"
    assert cos.http_client.headers["user-agent"] == campaign_os.USER_AGENT


def test_the_event_alias_lists_every_envelope_of_the_spec() -> None:
    """``campaign_os.Event`` is written by hand for type checkers; ``events.get`` accepts what the
    generated ``EventList`` parses. After a regeneration that adds an event type, extend the alias."""
    import typing

    from campaign_os import Event
    from campaign_os._resources.events import EVENT_CLASSES

    assert len(EVENT_CLASSES) >= 21
    assert set(typing.get_args(Event)) == set(EVENT_CLASSES)
    assert all(cls.__name__.endswith("Event") for cls in EVENT_CLASSES)


def test_job_and_event_arguments_are_checked_before_any_request() -> None:
    with CampaignOS(base_url="http://127.0.0.1:9", api_key="cos_x", max_retries=0) as cos:
        with pytest.raises(ValueError):
            cos.jobs.list(status="done")
        with pytest.raises(ValueError):
            cos.events.list(order="sideways")
        with pytest.raises(ValueError):
            cos.admin.list_jobs(state="zombie")
