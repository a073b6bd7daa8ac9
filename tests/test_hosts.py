"""config.yaml `trusted_hosts` (jetpy.kernel.hosts): other Host headers get a 400."""

from __future__ import annotations

import logging

import pytest
from werkzeug.test import Client

from jetpy import Application
from jetpy.errors import DefinitionError
from tests.conftest import ProjectFactory

CONFIG = "application/config.yaml"
TRUSTED = "trusted_hosts: [example.com., ' .example.org', 'bücher.example']\n"


@pytest.fixture
def site(make_project: ProjectFactory) -> Client:
    return Client(Application(make_project({CONFIG: "debug: true\n" + TRUSTED})))


@pytest.mark.parametrize(
    "host",
    [
        "example.com",
        "EXAMPLE.com:8080",  # compared without the port, in lower case
        "example.org",
        "shop.example.org",  # a leading dot: the name and its subdomains
        "xn--bcher-kva.example",  # a configured IDNA name, as browsers send it
        "example.com.",  # the fully qualified form of the same name
        "shop.example.org.:443",
    ],
)
def test_a_trusted_host_is_answered(site: Client, host: str) -> None:
    response = site.get("/", headers={"Host": host})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "host", ["evil.example", "example.com.evil.example", "notexample.org", "", "exa mple.com"]
)
def test_another_host_is_a_400_that_names_no_setting_to_the_visitor(
    site: Client, host: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="jetpy.kernel.hosts"):
        response = site.get("/", headers={"Host": host})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "does not answer requests for that host name" in body
    assert "trusted_hosts" not in body  # the log says how to allow it, not the visitor
    assert "add it there" in caplog.text


def test_files_are_refused_too_but_the_health_check_answers_any_host(site: Client) -> None:
    assert site.get("/public/site.css", headers={"Host": "evil.example"}).status_code == 400
    assert site.get("/_health", headers={"Host": "10.0.0.7:8000"}).status_code == 200


def test_without_trusted_hosts_every_host_is_answered(make_project: ProjectFactory) -> None:
    client = Client(Application(make_project()))
    assert client.get("/", headers={"Host": "anything.example"}).status_code == 200


def test_a_name_that_is_not_a_host_is_a_definition_problem(make_project: ProjectFactory) -> None:
    files = {CONFIG: "trusted_hosts: [example.com, 'https://example.com', 'a:80', 7]\n"}
    with pytest.raises(DefinitionError) as raised:
        Application(make_project(files))
    found = [(p.key, p.message) for p in raised.value.problems]
    assert found == [
        ("trusted_hosts[3]", "must be text, found `7`"),
        ("trusted_hosts[1]", "'https://example.com' is not a host name"),
        ("trusted_hosts[2]", "'a:80' is not a host name"),
    ]
