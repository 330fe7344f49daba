"""Conflicts of interest as the rules read them: detected from shared organisations, e-mail domains and team
membership, or declared (by the juror or the chair, in reviews.declare_conflicts) against organisations and
people. Permissions and assignment import them from here; so do the rules of a declaration that must not give
away which entry belongs to whom (the people a juror names, the entries moved when their list is handed back).
Reads only."""
import random
import re
import unicodedata
from collections import defaultdict

import sqlalchemy as sa

from govchallenge.accounts.models import User
from govchallenge.core.names import problem as name_problem
from govchallenge.extensions import db
from govchallenge.organisations.models import Membership
from govchallenge.submissions.models import Submission
from govchallenge.teams.models import Team, TeamMember

from . import assignment as algo
from .guards import JuryError
from .membership import challenge_jurors, juror_of_user
from .models import ConflictDeclaration, Juror, Round, RoundEntry


def load_teams(submission_ids):
    """{submission id: submission} with its team's members and their accounts. An entry this request already
    holds with all of that loaded (the review page loads its entry first) is taken as it is: a second query
    would hand back the very same objects, their loaded attributes untouched."""
    if not submission_ids:
        return {}
    found = {sid: s for sid in submission_ids if (s := _held_with_team(sid)) is not None}
    missing = [sid for sid in submission_ids if sid not in found]
    if missing:
        rows = db.session.execute(
            sa.select(Submission).where(Submission.id.in_(missing))
            .options(sa.orm.joinedload(Submission.team).selectinload(Team.members).joinedload(TeamMember.user))
        ).unique().scalars().all()
        found.update((s.id, s) for s in rows)
    return found


def _loaded(instance, *names):
    state = sa.inspect(instance)
    return not state.expired and not state.unloaded.intersection(names)


def _held_with_team(submission_id):
    """The submission of the session's identity map if it, its team, the members and their accounts are all
    loaded (nothing expired by a commit); None otherwise."""
    submission = db.session.identity_map.get(db.session.identity_key(Submission, submission_id))
    if submission is None or not _loaded(submission, "team") or submission.team is None:
        return None
    team = submission.team
    if not _loaded(team, "members") or not all(_loaded(m, "user") for m in team.members):
        return None
    return submission


def entry_spec(submission):
    members = submission.team.members
    return algo.EntrySpec(
        submission.id,
        frozenset(m.organisation_id for m in members if m.organisation_id is not None),
        frozenset(d for d in (algo.email_domain(m.user.email) for m in members) if d),
        frozenset(m.user_id for m in members),
    )


def juror_specs(jurors):
    """Specs of each juror (one per organisation they belong to, same juror id) and their main spec."""
    user_ids = [j.user_id for j in jurors if j.user_id]
    orgs = defaultdict(set)
    if user_ids:
        for m in db.session.execute(sa.select(Membership).where(Membership.user_id.in_(user_ids), Membership.state == "active")).scalars():
            orgs[m.user_id].add(m.organisation_id)
    main, extra = [], []
    for j in jurors:
        email = j.user.email if j.user is not None else j.email
        spec = algo.JurorSpec(j.id, j.organisation_id, algo.email_domain(email), j.user_id)
        main.append(spec)
        for org in orgs.get(j.user_id, ()):
            if org != j.organisation_id:
                extra.append(algo.JurorSpec(j.id, org, None, None))
        if j.email and j.user is not None and algo.email_domain(j.email) != spec.email_domain:
            extra.append(algo.JurorSpec(j.id, None, algo.email_domain(j.email), None))
    return main, extra


def detected_conflicts(challenge_id, submission_ids=None):
    """{(juror_id, submission_id): reason} found automatically (shared organisation, e-mail domain, membership)."""
    if submission_ids is None:
        submission_ids = db.session.execute(
            sa.select(RoundEntry.submission_id).join(Round).where(Round.challenge_id == challenge_id)
        ).scalars().all()
    submissions = load_teams(set(submission_ids))
    jurors = challenge_jurors(challenge_id, accepted_only=False)
    main, extra = juror_specs(jurors)
    return algo.detect_conflicts([entry_spec(s) for s in submissions.values()], main + extra)


# --- the people a juror names -------------------------------------------------------------------------

PERSON_MAX = 320
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def person_key(text):
    """How a declared person is compared with a team member: an e-mail address in lower case, a name in NFKC
    with case and accents folded and spaces collapsed ("José  GARCÍA" and "jose garcia" are one person)."""
    text = " ".join(unicodedata.normalize("NFKC", text or "").split())
    if "@" in text:
        return text.lower()
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in folded if not unicodedata.combining(c))


def parse_people(text):
    """The people of the form's box, one a line (an e-mail address or a full name), blank lines left out and
    repeats kept once. A line that cannot be a person refuses the whole declaration, naming the line: nothing
    the juror typed is dropped in silence."""
    people, seen = [], set()
    for number, raw in enumerate((text or "").splitlines(), 1):
        line = " ".join(unicodedata.normalize("NFKC", raw).split())
        if not line:
            continue
        if len(line) > PERSON_MAX:
            raise JuryError("person_too_long", line=number, max=PERSON_MAX)
        if "@" in line and not EMAIL.match(line):
            raise JuryError("person_email", line=number)
        if "@" not in line and (name_problem(line) or len(line) < 2):
            raise JuryError("person_name", line=number)
        key = person_key(line)
        if key not in seen:
            seen.add(key)
            people.append(line)
    return people


def _member_keys(challenge_id, team_ids=None):
    """{team_id: {person keys of its members: e-mail address and name}} of the challenge's teams (or of
    `team_ids`)."""
    keys = defaultdict(set)
    query = (sa.select(TeamMember.team_id, User.email, User.name).join(User, User.id == TeamMember.user_id)
             .where(TeamMember.challenge_id == challenge_id))
    if team_ids is not None:
        query = query.where(TeamMember.team_id.in_(list(team_ids) or [0]))
    for team_id, email, name in db.session.execute(query).all():
        keys[team_id].update(k for k in (person_key(email), person_key(name)) if k)
    return keys


def _org_teams(challenge_id, team_ids=None):
    """{organisation id: the challenge's teams (or those of `team_ids`) with a member entering for it}."""
    org_teams = defaultdict(set)
    query = sa.select(TeamMember.team_id, TeamMember.organisation_id).where(TeamMember.challenge_id == challenge_id)
    if team_ids is not None:
        query = query.where(TeamMember.team_id.in_(list(team_ids) or [0]))
    for team_id, org_id in db.session.execute(query).all():
        if org_id is not None:
            org_teams[org_id].add(team_id)
    return org_teams


def declaration_touches(declaration, team_id, org_teams, member_keys):
    """Whether a declared conflict concerns the team: its own team (older rows), an organisation of one of its
    members, or one of its members named by e-mail address or name."""
    if declaration.team_id is not None and declaration.team_id == team_id:
        return True
    if declaration.organisation_id is not None and team_id in org_teams.get(declaration.organisation_id, ()):
        return True
    return bool(declaration.person) and person_key(declaration.person) in member_keys.get(team_id, ())


def conflict_pairs(challenge_id, submission_ids=None):
    """Every (juror_id, submission_id) that must not be paired: detected plus declared/chair conflicts."""
    pairs = dict(detected_conflicts(challenge_id, submission_ids))
    declared = db.session.execute(
        sa.select(ConflictDeclaration).join(Juror).where(Juror.challenge_id == challenge_id)
    ).scalars().all()
    if declared:
        subs = db.session.execute(
            sa.select(Submission.id, Submission.team_id).join(RoundEntry, RoundEntry.submission_id == Submission.id)
            .join(Round).where(Round.challenge_id == challenge_id)
        ).all()
        org_teams, member_keys = _org_teams(challenge_id), _member_keys(challenge_id)
        for c in declared:
            for sid, team_id in subs:
                if declaration_touches(c, team_id, org_teams, member_keys):
                    pairs[(c.juror_id, sid)] = c.kind
    return pairs


# --- handing a held list back ----------------------------------------------------------------------------

COVER_MOVES = 2
"""When a held list is handed back, at least this many of its entries move to other jurors (where the juror has
that many not yet started): the entries a declaration took away hide among others moved at the same time."""


def entries_to_move(conflicted, unstarted, cover=COVER_MOVES, seed=None):
    """The assignments to move away when a juror's held list is handed back: every conflicted one, and others drawn
    at random among the unstarted ones:
    - up to `cover` conflicted: as many others as bring the count up to `cover`, so a juror whose declaration
      touched no entry sees as many entries leave as one whose declaration touched one or two;
    - more conflicted than `cover` (an organisation behind several entries): as many others as conflicted, so
      the count no longer matches a declaration that touched nothing, but no departing entry is more likely
      conflicted than not — the juror still cannot tell which entries belong to whom.
    Fewer unstarted others than that: all of them (the audit trail records how many were conflicted)."""
    conflicted = list(dict.fromkeys(conflicted))
    others = sorted(set(unstarted) - set(conflicted))
    extra = cover - len(conflicted) if len(conflicted) <= cover else len(conflicted)
    return conflicted + random.Random(seed).sample(others, min(extra, len(others)))


def conflicted_entries(juror, submission_ids=None):
    """The submission ids (of the challenge's rounds, or of `submission_ids`) the juror is conflicted with,
    by the same rules as the assignment (conflict_pairs): detected, declared or added by the chair. Read for
    this one juror and these entries only (a page of the dashboard, the entry under review), in a constant
    number of queries: never every juror of the challenge, nor every entry of its rounds."""
    if juror is None:
        return set()
    in_rounds = sa.select(RoundEntry.submission_id).join(Round).where(Round.challenge_id == juror.challenge_id)
    if submission_ids is not None:
        in_rounds = in_rounds.where(RoundEntry.submission_id.in_(list(set(submission_ids)) or [0]))
    round_ids = set(db.session.execute(in_rounds).scalars())
    submissions = load_teams(set(submission_ids) if submission_ids is not None else round_ids)
    main, extra = juror_specs([juror])
    found = {sid for _jid, sid in algo.detect_conflicts([entry_spec(s) for s in submissions.values()], main + extra)}
    declared = db.session.execute(
        sa.select(ConflictDeclaration).where(ConflictDeclaration.juror_id == juror.id)
    ).scalars().all()
    if declared:
        teams = {sid: s.team_id for sid, s in submissions.items() if sid in round_ids}
        org_teams = _org_teams(juror.challenge_id, set(teams.values()))
        member_keys = _member_keys(juror.challenge_id, set(teams.values()))
        found.update(sid for sid, team_id in teams.items()
                     if any(declaration_touches(c, team_id, org_teams, member_keys) for c in declared))
    return found


def is_conflicted(juror, submission_id):
    return submission_id in conflicted_entries(juror, [submission_id])


def refuse_conflicted_actor(challenge_id, actor, submission_id):
    """A chair (or anyone on the jury) never changes the scores of an entry they are conflicted with."""
    if is_conflicted(juror_of_user(challenge_id, actor), submission_id):
        raise JuryError("chair_conflict")
