"""The sizes of the replay dataset (`flask --app govchallenge bench seed --scale NAME`).

`euvsvirus` is the #EUvsVirus hackathon of April 2020 as the issue states it: 20,900 participants from ~140
countries, 37 challenges in 6 domains, ~2,150 submitted solutions, 400 jurors, 5 criteria, R = 3. In this
platform a jury belongs to a challenge, so the replay puts the 2,150 entries and the 400 jurors in one flagship
challenge (the round the chair's dashboard and the assignment are measured on: 2,150 x 400 x 3, round still
open, every review scored), and a second, smaller challenge whose round is closed and results published (the
results page). The other 35 challenges are open, with their texts, criteria and followers."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    users: int
    countries: int
    organisations: int
    challenges: int
    flagship_entries: int
    flagship_jurors: int
    published_entries: int
    published_jurors: int
    reviews_per_entry: int = 3
    criteria: int = 5
    batch: int = 200  # operations per transaction


SCALES = {
    "euvsvirus": Scale(users=20_900, countries=141, organisations=300, challenges=37, flagship_entries=2_150,
                       flagship_jurors=400, published_entries=120, published_jurors=30),
    "small": Scale(users=80, countries=12, organisations=12, challenges=6, flagship_entries=12, flagship_jurors=6,
                   published_entries=5, published_jurors=4, batch=7),
}
