"""Which address a request comes from, for counting failures per client (DESIGN §9).

`X-Forwarded-For` is written by whoever sends the request, so it is believed only as far as the
operator says: `TRUSTED_PROXY_COUNT` (from the environment, default 0) is the number of proxies in
front of the application that append the address they received the request from. With none, the
address is the socket peer (`REMOTE_ADDR`) and the header is ignored; with N, it is the N-th entry
from the right, the one the outermost trusted proxy appended. Entries further left are the
client's own claims and are never used.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

# IPv6 hands each subscriber at least a /64: counting single addresses would let one client rotate
# through billions of them.
IPV6_PREFIX = 64


def client_address(request: HttpRequest) -> str:
    """The client's address: the socket peer, or the entry the outermost trusted proxy appended."""
    peer = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXY_COUNT
    if not trusted:
        return peer
    entries = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(entries) < trusted or not _is_address(entries[-trusted]):
        # Fewer hops than configured proxies (a request that bypassed one) or garbage: count it
        # against the peer, which the client cannot choose.
        return peer
    return entries[-trusted]


def client_bucket(request: HttpRequest) -> str:
    """What failures are counted against: the client's address, or its /64 network for IPv6."""
    address = client_address(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped is not None:  # ::ffff:a.b.c.d from a dual-stack socket is that IPv4 client
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False))


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
