"""One clock for the whole platform, and aware UTC datetimes in every column."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import sqlalchemy as sa

UTC = timezone.utc


def utcnow():
    return datetime.now(UTC)


def as_utc(value):
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """Stores UTC; always gives back an aware UTC datetime (SQLite forgets the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        return as_utc(value)


_ZONES = None


def zone_names():
    global _ZONES
    if _ZONES is None:
        _ZONES = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix/", "right/")) ) + ["UTC"]
    return _ZONES


def is_zone(name):
    if not name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def to_zone(value, zone_name):
    return as_utc(value).astimezone(ZoneInfo(zone_name if is_zone(zone_name) else "UTC"))


def local_to_utc(naive_local, zone_name):
    """A moment typed in a zone (e.g. a challenge's) becomes UTC."""
    return naive_local.replace(tzinfo=ZoneInfo(zone_name)).astimezone(UTC)
