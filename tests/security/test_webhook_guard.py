"""The webhook guard refuses every spelling of a non-public address: IPv6 forms that carry a private
IPv4 (mapped, compatible, SIIT, NAT64, 6to4, Teredo), unspecified and multicast addresses, and the
odd IPv4 spellings the system resolver accepts (`0x7f.1`, `2130706433`, `127.1`)."""
import pytest

from govchallenge.results import webhook_guard

ADDRESSES = [
    # public
    ("193.0.6.139", True),
    ("2001:67c:2e8:22::c100:68b", True),
    ("::ffff:193.0.6.139", True),        # IPv4-mapped public address
    ("64:ff9b::c100:68b", True),         # NAT64 to a public address
    ("2002:c100:68b::1", True),          # 6to4 from a public address
    # IPv4 private, special, unspecified, broadcast, multicast
    ("127.0.0.1", False), ("10.0.0.5", False), ("192.168.1.1", False), ("169.254.169.254", False),
    ("100.64.0.1", False), ("0.0.0.0", False), ("255.255.255.255", False), ("240.0.0.1", False),
    ("224.0.0.1", False), ("239.255.255.250", False),
    # IPv6 loopback, unspecified, link/site/unique local, documentation, multicast
    ("::1", False), ("::", False), ("fe80::1", False), ("fe80::1%eth0", False), ("fec0::1", False),
    ("fc00::1", False), ("2001:db8::1", False), ("ff02::1", False), ("ff0e::1", False),
    # IPv6 forms that carry a private IPv4
    ("::127.0.0.1", False),              # IPv4-compatible
    ("::ffff:127.0.0.1", False),         # IPv4-mapped
    ("::ffff:10.0.0.1", False),
    ("::ffff:0:7f00:1", False),          # SIIT IPv4-translated
    ("64:ff9b::7f00:1", False),          # NAT64 well-known prefix
    ("64:ff9b::a9fe:a9fe", False),       # NAT64 to the cloud metadata address
    ("64:ff9b:1::7f00:1", False),        # local-use NAT64: never
    ("64:ff9b:1::c100:68b", False),
    ("2002:7f00:1::", False),            # 6to4 from 127.0.0.1
    ("2002:a00:1::1", False),            # 6to4 from 10.0.0.1
    ("2001::1", False),                  # Teredo
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", False),
    ("not an address", False),
]


@pytest.mark.parametrize("address, public", ADDRESSES)
def test_which_addresses_are_public(address, public):
    assert webhook_guard.is_public(address) is public


@pytest.mark.parametrize("host", ["0x7f.1", "2130706433", "127.1", "0177.0.0.1", "0", "[::ffff:127.0.0.1]",
                                  "[::127.0.0.1]", "[64:ff9b::7f00:1]", "[2002:7f00:1::]", "[::]"])
def test_odd_spellings_of_a_private_address_are_refused_after_resolution(host):
    """The real resolver turns `0x7f.1` into 127.0.0.1; the guard checks what it returns."""
    try:
        webhook_guard.resolve(host.strip("[]"), 80)
    except OSError:
        pytest.skip(f"this system's resolver does not accept {host}")
    with pytest.raises(webhook_guard.Refused) as refused:
        webhook_guard.check(f"http://{host}/hook", allow_private=False)
    assert refused.value.code == webhook_guard.PRIVATE


@pytest.mark.parametrize("address, carried", [
    ("::ffff:127.0.0.1", ["127.0.0.1"]), ("::ffff:0:7f00:1", ["127.0.0.1"]), ("64:ff9b::a00:1", ["10.0.0.1"]),
    ("2002:7f00:1::", ["127.0.0.1"]), ("2001:0:4136:e378:8000:63bf:3fff:fdd2", ["65.54.227.120", "192.0.2.45"]),
    ("2001:67c:2e8:22::c100:68b", []), ("127.0.0.1", []),
])
def test_the_ipv4_inside_an_ipv6_address_is_found(address, carried):
    import ipaddress

    assert [str(a) for a in webhook_guard.embedded_ipv4(ipaddress.ip_address(address))] == carried
