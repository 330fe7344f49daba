"""Demo data of the challenges domain (registered in govchallenge.demo.DEMO_STEPS); idempotent.

Four challenges so a newcomer sees the whole life cycle: one open and co-hosted across borders,
one in evaluation, one closed whose results the results domain publishes in its own demo step, and one whose
final round was judged in pairs on demo day (the jury's demo step), its outcome published too."""
from datetime import timedelta
from decimal import Decimal

from govchallenge.core import audit
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.organisations.models import by_slug as organisation_by_slug

from .models import ACCEPTED, APPROVED, COHOST, IN_EVALUATION, LEAD, Challenge, ChallengeHost, Criterion, Prize, Stage, by_slug
from .operations import refresh_search_text, refresh_timeline

ADMIN = "admin@govchallenge.example"


CRITERION_DESCRIPTIONS = {
    "en": "What the jury looks for: **{name}**. Score it against the labelled points of the scale.",
    "pl": "Na co patrzy jury: **{name}**. Oceniaj według opisanych punktów skali.",
    "el": "Τι εξετάζει η επιτροπή: **{name}**. Βαθμολογήστε με βάση τα σημεία της κλίμακας.",
}


def _criterion_description(name):
    """Every demo criterion says what the jury looks for, in each language its name is written in (a criterion
    without a description once hid a 500 on the juror's page)."""
    return {language: CRITERION_DESCRIPTIONS[language].format(name=text)
            for language, text in name.items() if language in CRITERION_DESCRIPTIONS}


def _anchors(*labels):
    return {str(point): text for point, text in labels}


CHALLENGES = [
    {
        "slug": "cross-border-e-services",
        "hosts": ["ministerstwo-cyfryzacji", "dimos-thessalonikis"],
        "main_language": "pl", "timezone": "Europe/Warsaw", "domain": "administration", "status": APPROVED,
        "tags": ["e-services", "interoperability", "eIDAS"],
        "title": {
            "pl": "Transgraniczne e-usługi dla obywateli",
            "en": "Cross-border e-services for citizens",
            "el": "Διασυνοριακές ηλεκτρονικές υπηρεσίες για τους πολίτες",
        },
        "summary": {
            "pl": "Jak obywatel Polski i Grecji może załatwić sprawę urzędową w drugim kraju bez wychodzenia z domu?",
            "en": "How can a Polish or Greek citizen complete an administrative procedure in the other country from home?",
            "el": "Πώς μπορεί ένας Πολωνός ή Έλληνας πολίτης να ολοκληρώσει μια διοικητική διαδικασία στην άλλη χώρα από το σπίτι;",
        },
        "description": {
            "pl": "Szukamy rozwiązań, które łączą **e-tożsamość**, tłumaczenie dokumentów i płatności w jedną usługę.\n\n- współpraca z węzłem eIDAS\n- dostępność WCAG 2.1 AA",
            "en": "We look for solutions that join **e-identity**, document translation and payment into one service.\n\n- works with the eIDAS node\n- WCAG 2.1 AA accessible",
            "el": "Αναζητούμε λύσεις που ενώνουν την **ηλεκτρονική ταυτότητα**, τη μετάφραση εγγράφων και τις πληρωμές σε μία υπηρεσία.",
        },
        "expected_outcome": {
            "pl": "Działający prototyp usługi przetestowany z mieszkańcami Warszawy i Salonik.",
            "en": "A working prototype tested with residents of Warsaw and Thessaloniki.",
            "el": "Ένα λειτουργικό πρωτότυπο δοκιμασμένο με κατοίκους της Βαρσοβίας και της Θεσσαλονίκης.",
        },
        "countries_mode": "eu", "team_min": 1, "team_max": 6,
        "stages": [
            ({"pl": "Zgłoszenia", "en": "Application", "el": "Αιτήσεις"}, -10, 20),
            ({"pl": "Prototyp", "en": "Prototype", "el": "Πρωτότυπο"}, 25, 60),
        ],
        "results_in_days": 75,
        "criteria": [
            ({"pl": "Wpływ na obywateli", "en": "Impact on citizens", "el": "Αντίκτυπος στους πολίτες"}, 3.0, 0, 10,
             _anchors((0, {"pl": "Brak", "en": "None", "el": "Κανένας"}), (5, {"pl": "Umiarkowany", "en": "Moderate", "el": "Μέτριος"}), (10, {"pl": "Przełomowy", "en": "Transformative", "el": "Καθοριστικός"})), 4.0, False),
            ({"pl": "Wykonalność techniczna", "en": "Technical feasibility", "el": "Τεχνική σκοπιμότητα"}, 2.0, 0, 10,
             _anchors((0, {"en": "Not feasible"}), (10, {"en": "Ready to deploy"})), None, False),
            ({"pl": "Dostępność", "en": "Accessibility", "el": "Προσβασιμότητα"}, 1.5, 0, 5,
             _anchors((0, {"en": "Not addressed"}), (5, {"en": "Fully WCAG 2.1 AA"})), None, False),
            ({"pl": "Skład zespołu", "en": "Team composition", "el": "Σύνθεση ομάδας"}, 1.0, 0, 5,
             _anchors((0, {"en": "Unclear"}), (5, {"en": "Cross-border and complete"})), None, True),
        ],
        "prizes": [(1, {"pl": "Pierwsze miejsce", "en": "First place"}, "50000", "PLN"),
                   (2, {"pl": "Drugie miejsce", "en": "Second place"}, "10000", "EUR"),
                   (None, {"pl": "Nagroda za dostępność", "en": "Accessibility award"}, "3000", "EUR")],
    },
    {
        "slug": "smart-mobility-data",
        "hosts": ["dimos-thessalonikis"],
        "main_language": "en", "timezone": "Europe/Athens", "domain": "mobility", "status": IN_EVALUATION,
        "tags": ["mobility", "open data"],
        "title": {"en": "Smart mobility data for Thessaloniki", "el": "Έξυπνα δεδομένα κινητικότητας για τη Θεσσαλονίκη"},
        "summary": {"en": "Turn the city's open traffic and bus data into better journeys.",
                    "el": "Μετατρέψτε τα ανοιχτά δεδομένα κυκλοφορίας σε καλύτερες διαδρομές."},
        "description": {"en": "Use the open feeds of traffic sensors and buses to help residents plan their journeys."},
        "expected_outcome": {"en": "A service residents can use, based on open data."},
        "countries_mode": "all", "team_min": 1, "team_max": 5,
        "stages": [({"en": "Proposal", "el": "Πρόταση"}, -60, -5)],
        "results_in_days": 20,
        "criteria": [
            ({"en": "Use of open data"}, 2.0, 1, 5, _anchors((1, {"en": "Little"}), (5, {"en": "Central"})), None, False),
            ({"en": "Usefulness for residents"}, 3.0, 1, 5, _anchors((1, {"en": "Marginal"}), (5, {"en": "Daily use"})), 2.0, False),
            ({"en": "Quality of the prototype"}, 2.0, 1, 5, _anchors((1, {"en": "Sketch"}), (5, {"en": "Production-ready"})), None, False),
        ],
        "prizes": [(1, {"en": "Winner"}, "20000", "EUR"), (2, {"en": "Runner-up"}, "5000", "EUR")],
    },
    {
        "slug": "clean-air-sensors",
        "hosts": ["ministerstwo-cyfryzacji"],
        "main_language": "pl", "timezone": "Europe/Warsaw", "domain": "environment", "status": IN_EVALUATION,
        "tags": ["air quality", "IoT"],
        "title": {"pl": "Czujniki czystego powietrza", "en": "Clean air sensors"},
        "summary": {"pl": "Tanie czujniki jakości powietrza dla szkół.", "en": "Low-cost air-quality sensors for schools."},
        "description": {"pl": "Sieć czujników w szkołach, z otwartymi danymi.", "en": "A network of sensors in schools, with open data."},
        "expected_outcome": {"en": "A tested sensor and data platform."},
        "countries_mode": "eu", "team_min": 1, "team_max": 5,
        "stages": [({"pl": "Zgłoszenia", "en": "Application"}, -90, -40), ({"pl": "Finał", "en": "Final"}, -35, -10)],
        "results_in_days": -2,
        "criteria": [
            ({"pl": "Dokładność pomiaru", "en": "Measurement accuracy"}, 3.0, 0, 10, _anchors((0, {"en": "Unreliable"}), (10, {"en": "Reference grade"})), None, False),
            ({"pl": "Koszt", "en": "Cost"}, 2.0, 0, 10, _anchors((0, {"en": "Too costly"}), (10, {"en": "Very affordable"})), None, False),
            ({"pl": "Wartość edukacyjna", "en": "Educational value"}, 1.0, 0, 10, _anchors((0, {"en": "None"}), (10, {"en": "Excellent"})), None, False),
        ],
        "prizes": [(1, {"pl": "Pierwsze miejsce", "en": "First place"}, "30000", "PLN"),
                   (2, {"pl": "Drugie miejsce", "en": "Second place"}, "15000", "PLN")],
    },
    {
        # Judged on a rubric in round 1, then on demo day in pairs (the jury's demo step): results published.
        "slug": "cool-streets-demo-day",
        "hosts": ["dimos-thessalonikis", "ministerstwo-cyfryzacji"],
        "main_language": "en", "timezone": "Europe/Athens", "domain": "environment", "status": IN_EVALUATION,
        "tags": ["urban heat", "demo day", "pairwise judging"],
        "title": {"en": "Cool streets: beating urban heat", "el": "Δροσεροί δρόμοι: απέναντι στη θερμότητα της πόλης",
                  "pl": "Chłodne ulice: przeciw miejskiemu upałowi"},
        "summary": {"en": "Cheap ways to keep streets and schoolyards cool in heatwaves, shown live on demo day.",
                    "el": "Οικονομικοί τρόποι για δροσερούς δρόμους και σχολικές αυλές στους καύσωνες.",
                    "pl": "Tanie sposoby na chłodne ulice i szkolne podwórka w czasie upałów."},
        "description": {"en": "Finalists pitch at their tables on **demo day**; the jury compares them in pairs.",
                        "el": "Οι φιναλίστ παρουσιάζουν στην **ημέρα επίδειξης**· η επιτροπή τους συγκρίνει ανά ζεύγη."},
        "expected_outcome": {"en": "A pilot on three streets of Thessaloniki next summer.",
                             "el": "Πιλοτικό σε τρεις δρόμους της Θεσσαλονίκης το επόμενο καλοκαίρι."},
        "countries_mode": "eu", "team_min": 1, "team_max": 5,
        "stages": [({"en": "Proposal", "el": "Πρόταση"}, -80, -45), ({"en": "Demo day", "el": "Ημέρα επίδειξης"}, -40, -12)],
        "results_in_days": -3,
        "criteria": [
            ({"en": "Cooling effect", "el": "Δροσιστικό αποτέλεσμα"}, 3.0, 0, 10, _anchors((0, {"en": "None"}), (10, {"en": "Measured, large"})), 3.0, False),
            ({"en": "Cost per street", "el": "Κόστος ανά δρόμο"}, 2.0, 0, 10, _anchors((0, {"en": "Too costly"}), (10, {"en": "Very affordable"})), None, False),
            ({"en": "Readiness", "el": "Ετοιμότητα"}, 1.0, 0, 5, _anchors((0, {"en": "Idea"}), (5, {"en": "Ready to install"})), None, True),
        ],
        "prizes": [(1, {"en": "Demo-day winner", "el": "Νικητής ημέρας επίδειξης"}, "25000", "EUR"),
                   (2, {"en": "Runner-up", "el": "Δεύτερη θέση"}, "10000", "EUR"),
                   (None, {"en": "Schoolyard award", "el": "Βραβείο σχολικής αυλής"}, "5000", "EUR")],
    },
]


def _build(spec, users, now):
    lead_officer = users.get("anna.kowalska@cyfryzacja.example.pl") if spec["hosts"][0] == "ministerstwo-cyfryzacji" else users.get("eleni.papadopoulou@thessaloniki.example.gr")
    challenge = Challenge(
        slug=spec["slug"], main_language=spec["main_language"], title=spec["title"], summary=spec["summary"],
        description=spec["description"], expected_outcome=spec["expected_outcome"],
        terms={spec["main_language"]: "Entrants keep their intellectual property; hosts get a free licence to test the prototype."},
        domain=spec["domain"], tags=spec["tags"], timezone=spec["timezone"], status=spec["status"],
        countries_mode=spec["countries_mode"], team_min=spec["team_min"], team_max=spec["team_max"],
        results_at=now + timedelta(days=spec["results_in_days"]), created_by_id=getattr(lead_officer, "id", None),
    )
    challenge.created_at = now - timedelta(days=100)
    for index, slug in enumerate(spec["hosts"]):
        organisation = organisation_by_slug(slug)
        if organisation is None:
            return None
        challenge.hosts.append(ChallengeHost(organisation=organisation, role=LEAD if index == 0 else COHOST, state=ACCEPTED, responded_at=now))
    for name, opens, closes in spec["stages"]:
        challenge.stages.append(Stage(name=name, opens_at=now + timedelta(days=opens), closes_at=now + timedelta(days=closes)))
    for position, (name, weight, lo, hi, anchors, threshold, informational) in enumerate(spec["criteria"], start=1):
        challenge.criteria.append(Criterion(position=position, name=name, description=_criterion_description(name),
                                            weight=weight, scale_min=lo, scale_max=hi, anchors=anchors,
                                            threshold=threshold, informational=informational))
    for position, (place, name, amount, currency) in enumerate(spec["prizes"], start=1):
        challenge.prizes.append(Prize(position=position, place=place, name=name, amount=Decimal(amount), currency=currency))
    refresh_timeline(challenge)
    refresh_search_text(challenge)
    db.session.add(challenge)
    db.session.flush()
    audit.record("challenge.created", challenge, actor=lead_officer, demo=True)
    audit.record("challenge.approved", challenge, actor=users.get(ADMIN), demo=True)
    return challenge


def add_demo(users):
    """users: {e-mail: User} of the foundation's demo accounts."""
    now = utcnow()
    made = []
    for spec in CHALLENGES:
        if by_slug(spec["slug"]) is None:
            challenge = _build(spec, users, now)
            if challenge is not None:
                made.append(challenge)
    return made
