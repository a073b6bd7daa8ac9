"""`jetpy studio`'s host names (jetpy.cli.studio): what the studio answers to."""

from __future__ import annotations

import click
import pytest

from jetpy.cli.studio import studio_hosts


def test_the_loopback_address_answers_to_localhost_too() -> None:
    assert studio_hosts("127.0.0.1", ()) == ["127.0.0.1", "localhost"]
    assert studio_hosts("192.168.1.20", ()) == ["192.168.1.20"]


def test_a_wildcard_address_needs_the_public_host_name() -> None:
    with pytest.raises(click.UsageError, match="--public-host NAME"):
        studio_hosts("0.0.0.0", ())
    assert studio_hosts("0.0.0.0", ("devbox.lan", "10.0.0.5")) == ["devbox.lan", "10.0.0.5"]
    assert studio_hosts("::", ("[fe80::1]",)) == ["[fe80::1]"]


@pytest.mark.parametrize(
    "name", ["http://devbox.lan", "devbox.lan:8100", "dev box", "-x", "", "a/b", "x" * 300]
)
def test_a_public_host_that_is_no_host_name_is_refused(name: str) -> None:
    with pytest.raises(click.BadParameter, match="not a host name"):
        studio_hosts("0.0.0.0", (name,))
