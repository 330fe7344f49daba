"""The replay dataset: #EUvsVirus at full scale (scales.py), built through the platform's own operations in
one transaction per batch, reproducible from a seed. `flask --app govchallenge bench seed --scale euvsvirus`.

What is not built through an operation, and why: the accounts (one password hash shared by all, as the demo's
accounts are made: 20,900 full-strength hashes would take hours) and the clock (the hackathon's weekend is
closed by moving its stage's end to a minute ago, challenges.close_submissions). Jobs the operations queue
(receipts, invitations, the announcement) stay in the outbox: a worker started on the database sends them."""
import random
import time

from flask_migrate import upgrade

from govchallenge.accounts.models import User
from govchallenge.challenges import operations as challenge_operations
from govchallenge.extensions import db
from govchallenge.organisations import operations as organisation_operations

from . import challenges, entries, judging, people
from .scales import SCALES

__all__ = ["SCALES", "seed", "SeedError"]


class SeedError(RuntimeError):
    pass


def seed(scale_name, seed_value=2020, report=lambda what, count: None):
    """Builds the replay on an empty database (its schema migrated first). Returns {part: count} and the
    seconds it took. `report(part, count)` is told as each part is done."""
    scale = SCALES[scale_name]
    started = time.perf_counter()
    upgrade()
    if db.session.execute(db.select(User.id).limit(1)).first() is not None:
        raise SeedError("the database already holds accounts: the replay is built on an empty one")
    rng = random.Random(seed_value)

    def commit():
        db.session.commit()

    admin, users = people.make_users(rng, scale, report)
    commit()
    rng.shuffle(users)
    founders, pool = users[:scale.organisations], users[scale.organisations:]
    organisations = people.make_organisations(rng, scale, founders, scale.challenges, report)
    hosts = organisations[:scale.challenges]
    for host in hosts:
        organisation_operations.verify(admin, host)
    commit()
    made = [challenges.make_challenge(rng, index, host, founders[index], admin) for index, host in enumerate(hosts)]
    commit()
    report("challenges", len(made))
    entrants = organisations[scale.challenges:]
    flagship, published = made[0], made[1]
    flagship_teams, pool = entries.make_teams(rng, flagship, scale.flagship_entries, pool, entrants, scale.batch, commit)
    published_teams, pool = entries.make_teams(rng, published, scale.published_entries, pool, entrants, scale.batch, commit)
    commit()
    report("teams", len(flagship_teams) + len(published_teams))
    jurors, followers = pool[:scale.flagship_jurors], pool[scale.flagship_jurors:]
    for challenge in (flagship, published):
        challenges.close_submissions(challenge, admin)
    flagship_chair = judging.seat_jury(rng, flagship, jurors, entrants, founders[0])
    published_chair = judging.seat_jury(rng, published, jurors[:scale.published_jurors], entrants, founders[1])
    commit()
    report("jurors", len(jurors))
    flagship_round = judging.judge(rng, flagship, flagship_chair, seed_value, scale.batch, commit)
    published_round = judging.judge(rng, published, published_chair, seed_value, scale.batch, commit)
    commit()
    report("reviews", sum(len(jury_round.assignments) for jury_round in (flagship_round, published_round)))
    judging.publish(published_round, published_chair, founders[1])
    commit()
    report("published", 1)
    for n, user in enumerate(followers, start=1):
        challenge_operations.follow(user, made[rng.randrange(len(made))])
        if n % (scale.batch * 10) == 0:
            commit()
    commit()
    report("followers", len(followers))
    return time.perf_counter() - started
