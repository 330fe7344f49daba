"""The results' entries in the challenges' Atom feed: one per publication whose feed delivery went out."""
import sqlalchemy as sa

from govchallenge.core.i18n import lazy_text as _l
from govchallenge.core.urls import external_url
from govchallenge.extensions import db

from . import documents
from .models import FEED, SENT, Announcement, Delivery, Publication


def feed_entries(challenge=None, limit=20, **_ignored):
    """Extra Atom entries: one per publication whose feed delivery went out."""
    query = (
        sa.select(Publication)
        .join(Announcement, Announcement.publication_id == Publication.id)
        .join(Delivery, sa.and_(Delivery.announcement_id == Announcement.id, Delivery.channel == FEED))
        .where(Delivery.state == SENT)
        .order_by(Publication.published_at.desc())
        .limit(limit)
    )
    if challenge is not None:
        query = query.where(Publication.challenge_id == challenge.id)
    entries = []
    for publication in db.session.execute(query).scalars():
        document = publication.document
        title = documents.title_in(document, document["challenge"]["main_language"])
        entries.append({
            "id": f"tag:govchallenge,results:{document['challenge']['slug']}:{publication.digest[:16]}",
            "title": str(_l("Results published: %(title)s", title=title)),
            "link": external_url("results.show", slug=document["challenge"]["slug"]),
            "updated": publication.published_at,
            "summary": str(_l("SHA-256 digest of the results: %(digest)s", digest=publication.digest)),
        })
    return entries
