"""The Nu HTML checker (npm vnu-jar, run on Java): every page given is checked in one run of the checker."""
import json
import shutil
import subprocess
from pathlib import Path

VNU = Path(__file__).resolve().parents[1] / "node" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def html_errors(pages, folder):
    """{name: [error message]} for the pages ({name: HTML text}) the checker finds errors in."""
    assert VNU.is_file(), f"the HTML checker is missing: run `bash .ci/services` (npm ci in tests/node) ({VNU})"
    assert shutil.which("java"), "the HTML checker needs Java: apt-get install -y default-jre-headless"
    files = {}
    for index, (name, html) in enumerate(pages.items()):
        path = Path(folder) / f"page-{index}.html"
        path.write_text(html, encoding="utf-8")
        files[path.name] = name
    # One run for every page, however many (the crawl of the demo sends hundreds): the timeout only stops a hang.
    run = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json",
                          *(str(Path(folder) / file) for file in files)], capture_output=True, text=True, timeout=600)
    found = {}
    for message in json.loads(run.stderr or '{"messages": []}')["messages"]:
        url = message.get("url", "")
        name = files.get(url.rsplit("/", 1)[-1], url)
        found.setdefault(name, []).append(f'{message.get("lastLine")}: {message["message"]} {message.get("extract", "")!r}')
    return found
