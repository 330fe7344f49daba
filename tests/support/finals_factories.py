"""A challenge whose final round was judged in pairs (demo day) or by a ranked vote, closed and ready for the results:
a host with its officer, a jury (the first juror chairs), finalists, prizes for places 1 and 2 and a special award,
and every juror's votes or ballot. Commits (the jury's operations run as on the site)."""
from decimal import Decimal

from govchallenge.extensions import db
from govchallenge.jury import finals
from govchallenge.jury.models import CURRENT, PAIRWISE, PREVIOUS, RANKED
from tests.support.factories import make_public_body, make_user
from tests.support.jury_factories import make_jury_setup


def judged_final(kind, n_entries=5, n_jurors=4, ballots=None, close=True, conflicts=(), vote=True):
    """Finalist n is better than finalist n + 1 for every juror (a pairwise answer follows it; a ballot ranks them
    so) unless `ballots` gives each juror's ranking by finalist index: [[[0], [1, 2]], ...]. `conflicts`:
    [(juror index, finalist index)] declared before any vote (the juror then neither sees nor ranks it)."""
    from govchallenge.jury.models import ConflictDeclaration
    from govchallenge.challenges.models import Prize

    officer = make_user(name="Olga Officer", language="pl")
    host = make_public_body(officer=officer, name="Host Body of the Finals")
    setup = make_jury_setup(host=host, n_entries=n_entries, n_jurors=n_jurors)
    challenge, rnd, chair = setup["challenge"], setup["round"], setup["chair"]
    for position, (place, name) in enumerate([(1, "First place"), (2, "Second place"), (None, "Audience award")], 1):
        challenge.prizes.append(Prize(position=position, place=place, name={"en": name, "pl": f"Nagroda {position}"},
                                      amount=Decimal(1000 * position), currency="EUR"))
    finals.set_round_kind(rnd, kind, chair)
    for k, n in conflicts:
        db.session.add(ConflictDeclaration(juror_id=setup["jurors"][k].id, kind="personal",
                                           person=setup["submissions"][n].team.members[0].user.email))
    db.session.commit()
    index = {s.id: n for n, s in enumerate(setup["submissions"])}
    for k, (juror, user) in enumerate(zip(setup["jurors"], setup["users"]) if vote else ()):
        if kind == PAIRWISE:
            _walk(rnd, juror, user, index)
        else:
            barred = {n for j, n in conflicts if j == k}
            ranking = ballots[k] if ballots else [[n] for n in range(n_entries) if n not in barred]
            finals.submit_ballot(rnd, juror, [[setup["submissions"][n].id for n in tier] for tier in ranking], user)
        db.session.commit()
    if close:
        finals.close_final_round(rnd, chair)
        db.session.commit()
    return dict(setup, officer=officer, kind=kind)


def _walk(rnd, juror, user, index):
    """The juror sees every finalist once, answering each time that the better-indexed one was better."""
    showing = finals.show_next(rnd, juror, user)
    previous = showing
    showing = finals.show_next(rnd, juror, user)
    while showing is not None:
        better = CURRENT if index[showing.submission_id] < index[previous.submission_id] else PREVIOUS
        previous = showing
        showing = finals.cast_pairwise_vote(rnd, juror, showing.public_id, better, user)


__all__ = ["judged_final", "PAIRWISE", "RANKED"]
