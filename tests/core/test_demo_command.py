"""`flask demo` (what `make demo` runs) prints each login with what that person does in the demo, and where the
e-mails written in the embedded default can be read."""
import pytest

pytestmark = pytest.mark.single_db


def test_the_demo_says_who_does_what_and_where_the_mail_is(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()

    def parts_of(email):
        start = next(i for i, line in enumerate(lines) if line.rstrip().endswith(email))
        following = []
        for line in lines[start + 1:]:
            if not line.strip().startswith("- "):
                break
            following.append(line.strip()[2:])
        return following

    assert "chairs the jury of smart-mobility-data" in parts_of("eleni.papadopoulou@thessaloniki.example.gr")
    assert "chairs the jury of clean-air-sensors" in parts_of("anna.kowalska@cyfryzacja.example.pl")
    assert "sits on the jury of smart-mobility-data" in parts_of("sophie.martin@jury.example.fr")
    assert any(p.startswith("leads team") for p in parts_of("mads.jensen@nordlys.example.dk"))
    assert any("/admin/mail" in p for p in parts_of("admin@govchallenge.example"))
    assert "http://localhost/admin/mail" in result.output


def test_make_demo_installs_only_what_running_needs():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    demo = next(line for line in makefile.splitlines() if line.startswith("demo:"))
    install_run = makefile.split("install-run:", 1)[1].split("\n\n", 1)[0]
    assert "install-run" in demo.split() and "install " not in demo + " "
    assert "-e ." in install_run and "[test]" not in install_run
