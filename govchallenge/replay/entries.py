"""The replay's teams and their submitted entries, each with a PDF, through the teams' and submissions' own
operations: the lead creates the team, invites the others, they accept, the lead submits."""
import io

from pypdf import PdfWriter

from govchallenge.core import storage
from govchallenge.extensions import db
from govchallenge.submissions import operations as submissions
from govchallenge.submissions import screening
from govchallenge.teams import operations as teams

TEAM_SIZES = (1, 2, 3, 4, 5)
SIZE_WEIGHTS = (20, 25, 25, 20, 10)
NAMES = ["Vector", "Kestrel", "Lumen", "Tessera", "Quokka", "Halcyon", "Nimbus", "Cobalt", "Saffron", "Juniper",
         "Fjord", "Ember", "Onyx", "Pioneer", "Zephyr", "Mosaic"]


def team_sizes(rng, count, people):
    """`count` team sizes drawn from the hackathon's spread, shrunk to 1 where `people` would not suffice."""
    sizes = rng.choices(TEAM_SIZES, SIZE_WEIGHTS, k=count)
    while sum(sizes) > people and max(sizes) > 1:
        sizes[sizes.index(max(sizes))] -= 1
    return sizes


def entry_pdf(title):
    """A one-page PDF whose document information holds the entry's title (its bytes differ per entry)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def enter(rng, challenge, number, members, organisation):
    """Team `number` of `challenge` with `members` (the first leads, for `organisation`), and its entry
    submitted with one file. Returns the team."""
    lead, others = members[0], members[1:]
    team = teams.create_team(lead, challenge, f"{rng.choice(NAMES)} {number:04d}", organisation=organisation)
    for member in others:
        invitation = teams.invite(lead, team, member.email)
        teams.accept(member, invitation)
    title = f"{team.name}: a solution for {challenge.title[challenge.main_language]}"
    data = entry_pdf(title)
    stored = storage.save(data, "application/pdf")
    inspection = screening.prepare(data, "application/pdf")
    fields = {"title": title, "summary": f"How {team.name} tackles the challenge, in *one* sentence.",
              "description": "## Approach\n\nWhat we **built** during the weekend, and how a public body reuses it.",
              "links": {"code": f"https://code.replay.example.eu/{number}", "video": f"https://video.replay.example.eu/{number}",
                        "demo": f"https://demo.replay.example.eu/{number}"}}
    submissions.save_entry(lead, team, challenge.stages[0], fields, None, new_files=[(f"entry-{number:04d}.pdf", stored)],
                           submit=True, accepted_terms=True, inspections=[inspection])
    return team


def make_teams(rng, challenge, count, people, organisations, batch, commit):
    """`count` teams of `challenge` taking members from `people` in order; returns (teams, people left)."""
    sizes = team_sizes(rng, count, len(people))
    made, start = [], 0
    for number, size in enumerate(sizes, start=1):
        members = people[start:start + size]
        start += size
        made.append(enter(rng, challenge, number, members, rng.choice(organisations)))
        if number % batch == 0:
            commit()
    db.session.flush()
    return made, people[start:]
