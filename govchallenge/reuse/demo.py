"""Demo data of the reuse catalogue (registered in govchallenge.demo.DEMO_STEPS); idempotent.

The winner of "clean-air-sensors" declares its licence, repository and publiccode.yml, a host lists it, and the
Municipality of Thessaloniki records that it uses it. Thessaloniki also runs the challenge again (the copy is
reviewed and published), and the Polish ministry invites that copy into a cross-border contest with one shared
award: the invitation waits for Thessaloniki's answer on the copy's page."""
from datetime import timedelta

import sqlalchemy as sa

from govchallenge.challenges.models import by_slug
from govchallenge.extensions import db
from govchallenge.organisations.models import OFFICER, Membership
from govchallenge.organisations.models import by_slug as organisation_by_slug
from govchallenge.results.models import Award, published_for
from govchallenge.submissions.models import Submission

from govchallenge.core.timeutil import utcnow

from . import contests, copying, operations
from .models import Listing

SLUG = "clean-air-sensors"
PUBLICCODE = """\
publiccodeYmlVersion: "0.4"
name: Czujniki czystego powietrza
url: "https://code.example.eu/clean-air/sensors.git"
developmentStatus: beta
legal:
  license: EUPL-1.2 OR MIT
maintenance:
  type: community
localisation:
  localisationReady: true
  availableLanguages: [pl, en, el]
description:
  pl:
    shortDescription: Sieć tanich czujników jakości powietrza z otwartymi danymi.
    longDescription: Czujniki PM2.5 i NO2 przy szkołach, dane co minutę, mapa dla mieszkańców.
  en:
    shortDescription: A network of low-cost air-quality sensors with open data.
    longDescription: PM2.5 and NO2 sensors near schools, data every minute, a map for residents.
  el:
    shortDescription: Δίκτυο αισθητήρων ποιότητας αέρα χαμηλού κόστους με ανοικτά δεδομένα.
"""


def _officer(organisation):
    return db.session.execute(sa.select(Membership).where(
        Membership.organisation_id == organisation.id, Membership.role == OFFICER)).scalars().first()


def add_demo(users):
    challenge = by_slug(SLUG)
    publication = published_for(challenge.id) if challenge is not None else None
    if publication is None:
        return None
    award = db.session.execute(sa.select(Award).where(Award.publication_id == publication.id, Award.place == 1)).scalars().first()
    if award is None:
        return None
    winner = db.session.get(Submission, award.submission_id)
    if db.session.execute(sa.select(Listing.id).where(Listing.submission_id == winner.id)).first() is not None:
        return None
    winner.licence = winner.licence or "EUPL-1.2 OR MIT"
    winner.repository_url = winner.repository_url or "https://code.example.eu/clean-air/sensors.git"
    winner.publiccode = winner.publiccode or PUBLICCODE
    _declared_when_submitted(winner)
    lead = challenge.lead_host
    host_officer = _officer(lead.organisation) if lead else None
    if host_officer is None:
        return None
    listing = operations.approve(host_officer.user, winner)
    adopter = organisation_by_slug("dimos-thessalonikis")
    adopter_officer = _officer(adopter) if adopter is not None and adopter.is_verified else None
    if adopter_officer is not None and adopter.id not in {h.organisation_id for h in challenge.hosts}:
        operations.record_adoption(adopter_officer.user, listing, adopter, "use",
                                   "Σε πιλοτική χρήση σε δέκα σχολεία της Θεσσαλονίκης.")
        _run_again_into_a_contest(challenge, host_officer.user, lead.organisation, adopter_officer.user, adopter, users)
    db.session.flush()
    return listing


def _declared_when_submitted(entry):
    """The demo team declared its openness with its entry: its last version froze it (and its digest covers it)."""
    from govchallenge.submissions.operations import version_digest

    version = entry.latest_version
    version.licence, version.repository_url, version.publiccode = entry.licence, entry.repository_url, entry.publiccode
    version.sha256 = version_digest(version)


def _run_again_into_a_contest(challenge, host_officer, host, reuser_officer, reuser, users):
    from govchallenge.challenges import operations as challenges

    copy = copying.run_again(reuser_officer, challenge, reuser, (utcnow() + timedelta(days=45)).replace(microsecond=0), "EUR")
    copy.title = {**copy.title, "el": "Αισθητήρες καθαρού αέρα — Θεσσαλονίκη"}
    challenges.submit_for_review(reuser_officer, copy)
    challenges.approve(users["admin@govchallenge.example"], copy, "Copied from a published challenge; dates checked.")
    db.session.flush()
    contests.propose(host_officer, challenge, host, "en", "Clean air for European schools",
                     "European clean-air award", [copy])
