"""Who takes part in the replay: accounts across ~140 countries and organisations, drawn from one seeded
random generator, so the same seed gives the same people."""
import pycountry

from govchallenge.accounts import operations as accounts
from govchallenge.accounts.models import User
from govchallenge.core.languages import INTERFACE_LANGUAGES
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.organisations import operations as organisations

PASSWORD = "Replay-govchallenge-2026"
ADMIN_EMAIL = "admin@replay.example.eu"
FIRST = ["Anna", "Eleni", "Jan", "Marie", "Lukas", "Sofia", "Mateo", "Aoife", "Nikos", "Ines", "Kadri", "Piotr",
         "Chiara", "Jonas", "Amira", "Tomás", "Oskar", "Zsófia", "Liam", "Yusuf", "Mei", "Ravi", "Olga", "Kwame"]
LAST = ["Kowalska", "Papadopoulou", "Novák", "Martin", "Schulz", "Rossi", "García", "Byrne", "Georgiou", "Costa",
        "Tamm", "Nowak", "Bianchi", "Berg", "Haddad", "Silva", "Lindqvist", "Nagy", "Murphy", "Yılmaz", "Chen",
        "Sharma", "Ivanova", "Mensah"]
ZONES = ["Europe/Warsaw", "Europe/Athens", "Europe/Berlin", "Europe/Paris", "Europe/Lisbon", "Europe/Dublin",
         "Europe/Tallinn", "Europe/Rome", "America/New_York", "Asia/Kolkata", "Africa/Accra", "UTC"]
ORGANISATION_KINDS = ["startup", "sme", "research", "ngo", "other"]
WORDS = ["Civic", "Open", "Nordic", "Baltic", "Data", "Health", "Green", "Urban", "Digital", "Commons", "Signal",
         "Atlas", "Harbour", "Meridian", "Aurora", "Delta", "Vector", "Summit", "Beacon", "Orbit"]
SUFFIXES = {"public_body": ["Ministry of Innovation", "City Council", "Regional Authority", "Agency for Digital Services"],
            "startup": ["Labs", "Analytics", "Works"], "sme": ["Consulting", "Systems", "Solutions"],
            "research": ["Institute", "University Lab", "Research Centre"], "ngo": ["Foundation", "Initiative", "Network"],
            "other": ["Collective", "Cooperative"]}


def countries(rng, count):
    """`count` ISO 3166 countries, drawn from all of them."""
    return sorted(rng.sample(sorted(c.alpha_2 for c in pycountry.countries), count))


def make_users(rng, scale, report):
    """The accounts, confirmed, all with the one replay password, each at a mail domain of their own (a shared
    domain is a conflict of interest with a juror of it). Built as `demo.ensure_user` does: hashing
    20,900 passwords at full strength would take hours, so the hash is made once and shared (same password)."""
    chosen = countries(rng, scale.countries)
    languages = sorted(INTERFACE_LANGUAGES)
    template = User(email="x@x", name="x")
    template.set_password(PASSWORD)
    now = utcnow()
    users = []
    for n in range(scale.users):
        country = chosen[n] if n < len(chosen) else rng.choice(chosen)  # every chosen country has someone
        user = User(email=f"p{n:05d}@p{n:05d}.{country.lower()}.replay.example.eu", name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    country=country, language=rng.choice(languages), timezone=rng.choice(ZONES),
                    password_hash=template.password_hash, email_verified_at=now)
        db.session.add(user)
        users.append(user)
        if len(users) % 2000 == 0:
            db.session.flush()
    admin = User(email=ADMIN_EMAIL, name="Replay Admin", country="BE", language="en", timezone="Europe/Brussels",
                 password_hash=template.password_hash, email_verified_at=now)
    db.session.add(admin)
    db.session.flush()
    accounts.make_admin(admin)
    report("users", len(users))
    return admin, users


def make_organisations(rng, scale, founders, public_bodies, report):
    """`public_bodies` verified public bodies (the hosts), then startups, SMEs, research labs and NGOs; each
    founded by one of `founders` through the organisations' own operation."""
    made = []
    for n, founder in enumerate(founders[:scale.organisations]):
        kind = "public_body" if n < public_bodies else rng.choice(ORGANISATION_KINDS)
        name = f"{rng.choice(WORDS)} {rng.choice(SUFFIXES[kind])} {n + 1}"
        made.append(organisations.create(founder, name, kind, founder.country, f"https://org{n + 1}.replay.example.eu",
                                         f"{name}: a participant of the replay, from {founder.country}."))
    report("organisations", len(made))
    return made
