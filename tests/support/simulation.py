"""Simulated juries for the ranking tests and benchmark: entries of known quality, jurors of known severity."""


def balanced_panels(entries, jurors, per_entry, rng):
    """(entry, juror) pairs: each entry reviewed by `per_entry` jurors, always the least loaded ones (random among
    equals), so every juror ends with about the same number of reviews."""
    loads = dict.fromkeys(jurors, 0)
    for entry in entries:
        for juror in sorted(jurors, key=lambda j: (loads[j], rng.random()))[:per_entry]:
            loads[juror] += 1
            yield entry, juror
