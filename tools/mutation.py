"""Mutation testing of the rule modules: do the tests fail when a rule is changed a little?

    make mutation                                   # every module listed in tools/mutation.toml
    .venv/bin/python tools/mutation.py eligibility  # only the modules whose path contains a word

For each module in tools/mutation.toml, mutmut (3.x) makes small changes to the module ("mutants": a
flipped comparison, a dropped condition, a changed constant) and runs the module's own test files against
each, with `--db=sqlite -m "not browser"`, stopping at the first failure (mutmut adds `-x -p no:randomly`
and runs, of those files, only the tests that reach the changed function). A mutant is *killed* when a test
fails, and *survives* when every test still passes: a rule the tests do not defend.

Each module runs in its own work folder, `.mutation/<module>/`, built afresh (so no verdict from an older
test run is trusted): links to the project's folders and a pyproject.toml that tells mutmut what to mutate
and which tests to run. mutmut copies the package, the tests, templates/ and migrations/ into
`.mutation/<module>/mutants/` (the app finds its templates and migrations beside the package there) and
runs pytest from that folder.

Printed: the score per module (killed / mutants not listed as equivalent), each surviving mutant with its
diff, and the equivalent mutants (tools/mutation-equivalents.txt: changes no test can observe, one reason
each) apart, each with its change: mutants are numbered within their function, so after an edit of the
function check that each change still matches its reason. The exit status is 1 when a module scores below
`min_score`.
"""
import argparse
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "tools" / "mutation.toml"
WORK = ROOT / ".mutation"
LINKED = ("govchallenge", "tests", "templates", "migrations", "babel.cfg")
ALSO_COPY = ("templates", "migrations", "babel.cfg")
CAUGHT = {"killed", "timeout", "segfault", "suspicious", "caught by type check"}


@dataclass
class Module:
    path: str
    tests: list
    functions: list = field(default_factory=list)

    @property
    def dotted(self):
        return self.path.removesuffix(".py").replace("/", ".")

    def owns(self, mutant):
        """A mutant of this module, and of one of its chosen functions when the module names some."""
        name = mutant.removeprefix(self.dotted + ".")
        if name == mutant:
            return False
        function = name.rsplit("__mutmut_", 1)[0]
        return not self.functions or any(fnmatch.fnmatchcase(function, p) for p in self.functions)


@dataclass
class Outcome:
    module: Module
    statuses: dict  # mutant name -> mutmut status
    seconds: float
    equivalents: dict  # mutant name -> reason, for this module's mutants

    def names(self, *statuses):
        return sorted(n for n, s in self.statuses.items() if s in statuses and n not in self.equivalents)

    @property
    def caught(self):
        return [n for n, s in self.statuses.items() if s in CAUGHT and n not in self.equivalents]

    @property
    def survivors(self):
        return self.names("survived", "no tests", "not checked", "skipped")

    @property
    def counted(self):
        return len(self.caught) + len(self.survivors)

    @property
    def score(self):
        return 100.0 * len(self.caught) / self.counted if self.counted else 100.0

    @property
    def stale_equivalents(self):
        """Listed as equivalent, yet killed now (or no longer made): the list should lose them."""
        return sorted(n for n in self.equivalents if self.statuses.get(n) not in ("survived", "no tests"))


def load_config():
    data = tomllib.loads(CONFIG.read_text("utf-8"))
    modules = []
    for path, spec in data["modules"].items():
        spec = {"tests": spec} if isinstance(spec, list) else spec
        modules.append(Module(path, list(spec["tests"]), list(spec.get("functions", ()))))
    return data["settings"], modules


def load_equivalents(path):
    """`mutant-name  reason` per line; # starts a comment line."""
    found = {}
    for line in (ROOT / path).read_text("utf-8").splitlines() if (ROOT / path).exists() else ():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, reason = line.partition(" ")
            found[name] = reason.strip() or "(no reason given)"
    return found


def mutmut_config(module, pytest_args, timeout_multiplier, timeout_constant=1.0):
    missing = [t for t in module.tests if not (ROOT / t).exists()]
    if missing:
        sys.exit(f"tools/mutation.toml: {module.path} lists test files that do not exist: {missing}")
    lines = [
        "[tool.mutmut]",
        'source_paths = ["govchallenge"]',
        f"only_mutate = [{module.path!r}]",
        f"also_copy = {list(ALSO_COPY)!r}",
        f"pytest_add_cli_args = {pytest_args!r}",
        f"pytest_add_cli_args_test_selection = {module.tests!r}",
        "use_git_change_detection = false",
        f"timeout_multiplier = {float(timeout_multiplier)}",
        f"timeout_constant = {float(timeout_constant)}",
    ]
    return "\n".join(lines).replace("'", '"') + "\n"


def prepare(module, pytest_args, timeout_multiplier, timeout_constant=1.0, resume=False):
    """The module's work folder, afresh; with `resume`, an interrupted run's folder is kept (mutmut keeps the
    verdicts it reached and tests the rest; the test files are copied again)."""
    folder = WORK / module.dotted
    if resume and (folder / "mutants").is_dir():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name in LINKED:
        (folder / name).symlink_to(ROOT / name)
    project = (ROOT / "pyproject.toml").read_text("utf-8")
    config = mutmut_config(module, pytest_args, timeout_multiplier, timeout_constant)
    (folder / "pyproject.toml").write_text(project.rstrip() + "\n\n" + config, "utf-8")
    return folder


def mutmut(folder, *args, log=None):
    command = [str(Path(sys.executable).with_name("mutmut")), *args]
    return subprocess.run(command, cwd=folder, text=True, stdout=log or subprocess.PIPE,
                          stderr=subprocess.STDOUT if log else subprocess.PIPE)


def run_module(module, settings, jobs, equivalents, resume=False):
    folder = prepare(module, list(settings["pytest_args"]), settings.get("timeout_multiplier", 15),
                     settings.get("timeout_constant", 1.0), resume)
    patterns = [f"{module.dotted}.{f}__mutmut_*" for f in module.functions]
    started = time.monotonic()
    with open(folder / "mutmut.log", "w") as log:
        done = mutmut(folder, "run", "--max-children", str(jobs), *patterns, log=log)
    seconds = time.monotonic() - started
    if done.returncode:
        tail = (folder / "mutmut.log").read_text(errors="replace")[-3000:]
        sys.exit(f"mutmut failed on {module.path} (exit {done.returncode}); the end of {folder}/mutmut.log:\n{tail}")
    statuses = {}
    for line in mutmut(folder, "results", "--all=true").stdout.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and module.owns(name):
            statuses[name] = status
    mine = {n: r for n, r in equivalents.items() if module.owns(n)}
    return Outcome(module, statuses, seconds, mine)


SHOW = """
import json, sys
from mutmut.__main__ import find_mutant, get_diff_for_mutant
diffs = {}
for name in json.loads(sys.stdin.read()):
    diffs[name] = get_diff_for_mutant(name, path=find_mutant(name).path)
print(json.dumps(diffs))
"""


def diffs(folder, names):
    """{mutant: its diff}, all from one process (`mutmut show` per mutant starts mutmut each time)."""
    if not names:
        return {}
    done = subprocess.run([sys.executable, "-c", SHOW], cwd=folder, input=json.dumps(names), text=True,
                          capture_output=True)
    if done.returncode:  # mutmut's internals moved: fall back to its command line
        return {name: mutmut(folder, "show", name).stdout for name in names}
    return json.loads(done.stdout)


def changed_lines(diff):
    return "\n".join(line for line in diff.splitlines() if line.startswith(("@@", "-", "+")) and
                     not line.startswith(("---", "+++")))


def report(outcome):
    folder = WORK / outcome.module.dotted
    print(f"\n== {outcome.module.path}: {outcome.score:.1f}% killed ({len(outcome.caught)}/{outcome.counted}), "
          f"{len(outcome.equivalents)} equivalent, {outcome.seconds:.0f}s")
    listed = [name for name in outcome.equivalents if name in outcome.statuses]
    shown = diffs(folder, outcome.survivors + listed)
    for name in outcome.survivors:
        print(f"-- survived ({outcome.statuses[name]}): {name}\n{changed_lines(shown.get(name, ''))}")
    # The change is printed beside its reason: mutants are numbered within their function, so an edit of the
    # function renumbers them, and a line whose change no longer matches its reason must be listed again.
    for name, reason in sorted(outcome.equivalents.items()):
        change = " / ".join(line for line in changed_lines(shown.get(name, "")).splitlines() if line.startswith("+"))
        print(f"   equivalent: {name}: {reason}\n      {change}")
    for name in outcome.stale_equivalents:
        print(f"!! listed as equivalent but {outcome.statuses.get(name, 'not made')}: {name} (update the list)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help="run only the modules whose path contains one of these words")
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("MUTATION_JOBS", "1")),
                        help="mutants tested at once (default 1, or $MUTATION_JOBS): the tests share one Redis DB")
    parser.add_argument("--resume", action="store_true",
                        help="continue an interrupted run of a module instead of starting it afresh")
    args = parser.parse_args(argv)
    if not Path(sys.executable).with_name("mutmut").exists():
        sys.exit("mutmut is not installed here: .venv/bin/pip install -e '.[test,mutation]' (make mutation does it)")
    settings, modules = load_config()
    chosen = [m for m in modules if not args.only or any(word in m.path for word in args.only)]
    if not chosen:
        sys.exit(f"no module in tools/mutation.toml matches {args.only}")
    equivalents = load_equivalents(settings["equivalents"])
    started = time.monotonic()
    outcomes = []
    for module in chosen:
        print(f"mutating {module.path} against {', '.join(module.tests)} ...", flush=True)
        outcome = run_module(module, settings, args.jobs, equivalents, args.resume)
        report(outcome)
        outcomes.append(outcome)
    minimum = float(settings["min_score"])
    print(f"\n{'module':<45} {'mutants':>7} {'killed':>6} {'(timeout)':>9} {'survived':>8} {'equiv.':>6} {'score':>7} {'time':>6}")
    for o in outcomes:
        flag = "" if o.score >= minimum else "  < " + f"{minimum:g}%"
        timeouts = sum(1 for name in o.caught if o.statuses[name] == "timeout")
        print(f"{o.module.path:<45} {len(o.statuses):>7} {len(o.caught):>6} {timeouts:>9} {len(o.survivors):>8} "
              f"{len(o.equivalents):>6} {o.score:>6.1f}% {o.seconds:>5.0f}s{flag}")
    print(f"total time {time.monotonic() - started:.0f}s")
    return 0 if all(o.score >= minimum for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
