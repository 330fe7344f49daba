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


def is_public(address):
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    return ip.is_global and not ip.is_multicast


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
