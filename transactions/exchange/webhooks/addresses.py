"""Which webhook URLs the portal may call: HTTPS to public addresses only (no SSRF).

Checked when an endpoint is registered and again before every attempt, since what a host name
resolves to can change after registration. The attempt then connects to the address checked
here (``Target.address``), not to a second lookup that could answer differently.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Target:
    """Where an attempt connects: the URL's parts and the checked address to use."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


def _test_host(host: str) -> bool:
    return host.lower() in {h.lower() for h in settings.WEBHOOK_ALLOWED_TEST_HOSTS}


def url_check(url: str) -> tuple[str, str, int, str]:
    """The URL's scheme, host, port and path, or a ValidationError saying what is wrong with it."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise ValidationError(_("Enter a valid URL."), code="invalid") from exc
    host = parts.hostname or ""
    if not host:
        raise ValidationError(_("The URL needs a host name."), code="no_host")
    if parts.username is not None or parts.password is not None:
        raise ValidationError(
            _("Do not put a user name or password in the URL; requests are signed instead."),
            code="credentials",
        )
    if parts.scheme == "http" and (settings.DEBUG or _test_host(host)):
        pass
    elif parts.scheme != "https":
        raise ValidationError(_("The URL must start with https://."), code="scheme")
    if parts.fragment:
        raise ValidationError(_("The URL must not have a #fragment."), code="fragment")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path


def _refused(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def resolve(url: str) -> Target:
    """Check the URL and the addresses its host resolves to; the address to connect to.

    Every address the host has must be public: an attacker controlling the DNS answers could
    otherwise mix an internal address in. DEBUG and the test hosts listed in
    ``WEBHOOK_ALLOWED_TEST_HOSTS`` may resolve anywhere (a receiver on the developer's machine).
    """
    scheme, host, port, path = url_check(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ValidationError(
            _("The host name %(host)s could not be resolved.") % {"host": host}, code="dns"
        ) from exc
    addresses = [str(info[4][0]) for info in infos]
    if not (settings.DEBUG or _test_host(host)):
        bad = sorted({a for a in addresses if _refused(a)})
        if bad:
            raise ValidationError(
                _(
                    "%(host)s resolves to a private, loopback, link-local, multicast or reserved "
                    "address (%(addresses)s); webhooks go to public addresses only."
                )
                % {"host": host, "addresses": ", ".join(bad)},
                code="address",
            )
    return Target(scheme=scheme, host=host, port=port, path=path, address=addresses[0])
