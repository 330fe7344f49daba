"""The replay's challenges: 37 in 6 domains, each in 2-3 languages with 5 described criteria, a stage, prizes,
and tags, authored, submitted for review and approved through the challenges' own operations."""
from datetime import timedelta

from govchallenge.challenges import operations as challenges
from govchallenge.challenges.models import IN_EVALUATION
from govchallenge.core.timeutil import utcnow

DOMAINS = ["health", "mobility", "environment", "administration", "education", "finance"]
TOPICS = {
    "health": ["contact tracing without tracking", "hospital bed availability", "home care for the elderly",
               "protective equipment logistics", "mental health at a distance", "testing site queues"],
    "mobility": ["safe public transport", "cycling corridors", "delivery of essentials", "border crossings for workers"],
    "environment": ["air quality in lockdown", "food waste", "energy use at home"],
    "administration": ["remote public services", "digital signatures for citizens", "crisis information in many languages"],
    "education": ["remote schooling", "devices for every pupil", "exams at a distance"],
    "finance": ["support for small businesses", "fair distribution of grants", "cash for the unbanked"],
}
TEXTS = {
    "en": ("{topic}", "How can we handle {topic} across borders?",
           "## The problem\n\n{topic} became urgent in the crisis. We look for **working solutions** that other "
           "countries can reuse.\n\n- open standards\n- accessible to everyone",
           "A pilot of {topic} with a public body, within two months.", "The **terms** of the replay: open to all."),
    "pl": ("{topic} (PL)", "Jak rozwiązać problem: {topic}?", "## Problem\n\n{topic}: szukamy **działających rozwiązań**.",
           "Pilotaż w ciągu dwóch miesięcy.", "**Regulamin**: otwarty dla wszystkich."),
    "el": ("{topic} (EL)", "Πώς μπορούμε να αντιμετωπίσουμε: {topic};", "## Το πρόβλημα\n\n{topic}: ζητάμε **λύσεις που λειτουργούν**.",
           "Πιλοτικό έργο σε δύο μήνες.", "Οι **όροι**: ανοιχτό σε όλους."),
    "de": ("{topic} (DE)", "Wie lösen wir: {topic}?", "## Das Problem\n\n{topic}: wir suchen **funktionierende Lösungen**.",
           "Ein Pilot in zwei Monaten.", "Die **Bedingungen**: offen für alle."),
    "fr": ("{topic} (FR)", "Comment traiter : {topic} ?", "## Le problème\n\n{topic} : nous cherchons des **solutions qui marchent**.",
           "Un pilote en deux mois.", "Les **conditions** : ouvert à tous."),
}
CRITERIA = [  # name per language, weight, what the jury looks for
    ({"en": "Impact", "pl": "Wpływ", "el": "Αντίκτυπος", "de": "Wirkung", "fr": "Impact"}, 3.0),
    ({"en": "Feasibility", "pl": "Wykonalność", "el": "Σκοπιμότητα", "de": "Machbarkeit", "fr": "Faisabilité"}, 2.0),
    ({"en": "Innovation", "pl": "Innowacyjność", "el": "Καινοτομία", "de": "Innovation", "fr": "Innovation"}, 2.0),
    ({"en": "Reuse across borders", "pl": "Ponowne użycie", "el": "Επαναχρησιμοποίηση", "de": "Wiederverwendung",
      "fr": "Réutilisation"}, 1.5),
    ({"en": "Team", "pl": "Zespół", "el": "Ομάδα", "de": "Team", "fr": "Équipe"}, 1.0),
]
LOOKS_FOR = {"en": "What the jury looks for: **{name}**, against the labelled points of the scale.",
             "pl": "Na co patrzy jury: **{name}**.", "el": "Τι εξετάζει η επιτροπή: **{name}**.",
             "de": "Worauf die Jury achtet: **{name}**.", "fr": "Ce que le jury regarde : **{name}**."}
ANCHORS = {"0": {"en": "Absent", "pl": "Brak", "el": "Απουσία", "de": "Fehlt", "fr": "Absent"},
           "5": {"en": "Sound", "pl": "Solidny", "el": "Επαρκές", "de": "Solide", "fr": "Solide"},
           "10": {"en": "Outstanding", "pl": "Wybitny", "el": "Εξαιρετικό", "de": "Herausragend", "fr": "Exceptionnel"}}
STAGE = {"en": "Hackathon weekend", "pl": "Weekend hackathonu", "el": "Σαββατοκύριακο hackathon",
         "de": "Hackathon-Wochenende", "fr": "Week-end du hackathon"}
PRIZES = [(1, {"en": "First place", "pl": "Pierwsze miejsce", "el": "Πρώτη θέση", "de": "Erster Platz", "fr": "Première place"}, 5000),
          (2, {"en": "Second place", "pl": "Drugie miejsce", "el": "Δεύτερη θέση", "de": "Zweiter Platz", "fr": "Deuxième place"}, 2000),
          (3, {"en": "Third place", "pl": "Trzecie miejsce", "el": "Τρίτη θέση", "de": "Dritter Platz", "fr": "Troisième place"}, 1000)]


def _texts(language, topic):
    title, summary, description, outcome, terms = TEXTS[language]
    fill = {"topic": topic.capitalize()}
    return {"title": title.format(**fill), "summary": summary.format(**fill), "description": description.format(**fill),
            "expected_outcome": outcome.format(**fill), "terms": terms}


def _part_texts(challenge, language):
    """The stage, criterion, prize and anchor texts of `language`, keyed as set_translation wants them."""
    parts = {}
    for kind, item_id, attribute, item in challenges.translatable_parts(challenge):
        if attribute.startswith("anchor-"):
            parts[f"{kind}-{item_id}-{attribute}"] = ANCHORS[attribute[len("anchor-"):]][language]
        elif kind == "stage":
            parts[f"{kind}-{item_id}-{attribute}"] = STAGE[language]
        elif kind == "criterion":
            name = CRITERIA[item.position - 1][0][language]
            parts[f"{kind}-{item_id}-{attribute}"] = name if attribute == "name" else LOOKS_FOR[language].format(name=name)
        else:
            name = PRIZES[item.position - 1][1][language]
            parts[f"{kind}-{item_id}-{attribute}"] = name if attribute == "name" else f"{name}: {item.amount} EUR"
    return parts


def make_challenge(rng, index, host, officer, admin):
    """Challenge `index` (its domain by turns, so 37 cover all 6), hosted by `host`, open now for 10 days."""
    domain = DOMAINS[index % len(DOMAINS)]
    topic = TOPICS[domain][(index // len(DOMAINS)) % len(TOPICS[domain])]
    languages = rng.sample(sorted(TEXTS), rng.choice((2, 3)))
    main = languages[0]
    now = utcnow()
    challenge = challenges.create(
        officer, host, main, _texts(main, f"{topic} {index + 1}"), domain=domain, timezone=officer.timezone,
        countries_mode="all", team_min=1, team_max=5, tags=[domain, "euvsvirus", "replay"],
        results_at=now + timedelta(days=30))
    challenges.add_stage(officer, challenge, STAGE[main], LOOKS_FOR[main].format(name=STAGE[main]),
                         now - timedelta(days=3), now + timedelta(days=10))
    for names, weight in CRITERIA:
        challenges.add_criterion(officer, challenge, names[main], LOOKS_FOR[main].format(name=names[main]), weight, 0, 10,
                                 anchors={point: labels[main] for point, labels in ANCHORS.items()})
    for place, names, amount in PRIZES:
        challenges.add_prize(officer, challenge, names[main], f"{names[main]}: {amount} EUR", place=place, amount=amount,
                             currency="EUR")
    for language in languages[1:]:
        challenges.set_translation(officer, challenge, language, _texts(language, f"{topic} {index + 1}"),
                                   _part_texts(challenge, language))
    challenges.submit_for_review(officer, challenge)
    challenges.approve(admin, challenge, "Approved for the replay.")
    return challenge


def close_submissions(challenge, admin, ago=timedelta(minutes=1)):
    """The hackathon weekend is over: the stage's close moves to `ago` before now (the replay compresses the
    event's weeks into minutes, as the clock would have moved) and the challenge goes into evaluation."""
    for stage in challenge.stages:
        stage.closes_at = min(stage.closes_at, utcnow() - ago)
        stage.opens_at = min(stage.opens_at, stage.closes_at - timedelta(days=3))
    challenges.refresh_timeline(challenge)
    challenges.set_status(challenge, IN_EVALUATION, admin)
