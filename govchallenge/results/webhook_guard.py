"""Where the platform may POST a partner webhook: http(s) only, and — unless the setting
`WEBHOOK_ALLOW_PRIVATE` is true — never to an address on a loopback, private, link-local or
otherwise non-public network (server-side request forgery).

The same check runs when a host registers an endpoint (a clear form error) and again at each
delivery, on the addresses the name resolves to *then*: the connection is opened to the very
address that was checked, so a name re-resolving to an internal address between the check and
the connection (DNS rebinding) gains nothing. Redirects are not followed."""
import http.client
import ipaddress
import socket
from urllib.parse import urlsplit

SCHEMES = {"http": 80, "https": 443}

# Problems (codes; the form and the delivery turn them into messages).
BAD_SCHEME, NO_HOST, BAD_PORT, UNRESOLVABLE, PRIVATE = "scheme", "host", "port", "unresolvable", "private"


class Refused(Exception):
    def __init__(self, code, detail=""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


def resolve(host, port):
    """The addresses `host` resolves to now (a seam for tests)."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


# IPv6 prefixes whose last 32 bits are an IPv4 address the packet is translated to or tunnelled from:
# IPv4-compatible (::a.b.c.d, deprecated), IPv4-mapped (::ffff:a.b.c.d), SIIT (::ffff:0:a.b.c.d)
# and the NAT64 well-known prefix (64:ff9b::a.b.c.d). The address is exactly as public as that IPv4.
IPV4_IN_LAST_32_BITS = [ipaddress.ip_network(n) for n in ("::/96", "::ffff:0:0/96", "::ffff:0:0:0/96", "64:ff9b::/96")]


def embedded_ipv4(ip):
    """The IPv4 addresses an IPv6 address carries (translation, 6to4, Teredo), else []."""
    if ip.version == 4:
        return []
    found = []
    if any(ip in network for network in IPV4_IN_LAST_32_BITS):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)  # (server, client)
    return found


def _is_public_ipv4(ip):
    return ip.is_global and not (ip.is_multicast or ip.is_unspecified or ip.is_reserved)


def is_public(address):
    """True only for a unicast address on the public internet.

    An IPv6 address that embeds an IPv4 one is judged by that IPv4 address: `::ffff:127.0.0.1`,
    `::127.0.0.1`, `::ffff:0:7f00:1` and `64:ff9b::7f00:1` all reach 127.0.0.1 through a translator,
    and `2002:7f00:1::` is 6to4 from it; Python's `is_global` calls several of these global.
    Local-use NAT64 (64:ff9b:1::/48, where the IPv4 sits depends on the site) is refused as part of
    the reserved ::/8, and Teredo (2001::/32) as not global, whatever IPv4 they carry."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if ip.version == 4:
        return _is_public_ipv4(ip)
    embedded = embedded_ipv4(ip)
    if any(ip in network for network in IPV4_IN_LAST_32_BITS):
        return _is_public_ipv4(embedded[0])
    if not all(_is_public_ipv4(v4) for v4 in embedded):
        return False
    return ip.is_global and not (ip.is_multicast or ip.is_unspecified or ip.is_reserved or ip.is_site_local)


def split(url):
    """(scheme, host, port, path with query) of an http(s) URL, or Refused."""
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError as error:
        raise Refused(BAD_PORT, str(error)) from error
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise Refused(BAD_SCHEME, scheme)
    if not parts.hostname:
        raise Refused(NO_HOST)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, parts.hostname, port or SCHEMES[scheme], path


def allowed_addresses(host, port, allow_private):
    """The addresses of `host` that may be called; Refused when there is none."""
    try:
        addresses = resolve(host, port)
    except (socket.gaierror, UnicodeError) as error:
        raise Refused(UNRESOLVABLE, host) from error
    if not addresses:
        raise Refused(UNRESOLVABLE, host)
    if allow_private:
        return addresses
    private = [a for a in addresses if not is_public(a)]
    if private:
        # One private answer refuses the name: a partner's public endpoint has none.
        raise Refused(PRIVATE, f"{host} resolves to {private[0]}")
    return addresses


def check(url, allow_private):
    """Raises Refused if the platform may not call `url` now."""
    _scheme, host, port, _path = split(url)
    allowed_addresses(host, port, allow_private)


def _pinned_connector(allow_private):
    def create_connection(address, timeout=None, source_address=None):
        host, port = address
        last = None
        for ip in allowed_addresses(host, port, allow_private):
            try:
                return socket.create_connection((ip, port), timeout, source_address)
            except OSError as error:
                last = error
        raise last

    return create_connection


def post(url, body, headers, timeout, allow_private):
    """POSTs `body` to `url` through a checked address; returns the HTTP status. Raises Refused,
    or OSError / http.client.HTTPException when the endpoint cannot be reached."""
    scheme, host, port, path = split(url)
    connection_class = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
    connection = connection_class(host, port, timeout=timeout)
    # http.client opens its socket through this attribute: the connection goes to the address that
    # was just checked, while TLS still verifies the certificate against the host name.
    connection._create_connection = _pinned_connector(allow_private)  # noqa: SLF001
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(65536)
        return response.status
    finally:
        connection.close()
