"""The man page and shell completions are generated from the parser and kept in step with it."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from syncd import manuals


def test_the_shipped_files_match_the_parser():
    for relative, text in manuals.generated().items():
        shipped = (manuals.ROOT / relative).read_text(encoding="utf-8")
        assert shipped == text, f"{relative} is stale: run `python -m syncd.manuals`"


def test_the_man_page_has_every_verb_and_flag():
    page = manuals.man_page()
    _, verbs = manuals.model()
    for verb in verbs:
        assert f'.SS "syncd {verb.name}"' in page
        for option in verb.options:
            assert option.flags[-1].replace("-", "\\-") in page
    assert ".SH EXIT STATUS" in page and ".SH EXAMPLES" in page


def test_bash_completes_verbs_flags_and_choices(tmp_path):
    script = manuals.ROOT / manuals.FILES["bash"]

    def complete(*words: str) -> list[str]:
        line = " ".join(f"'{w}'" for w in words)
        out = subprocess.run(["bash", "-c", f"source '{script}'; COMP_WORDS=(syncd {line}); "
                              f"COMP_CWORD={len(words)}; _syncd; printf '%s\\n' \"${{COMPREPLY[@]}}\""],
                             capture_output=True, text=True, check=True)
        return out.stdout.split()

    assert complete("pu") == ["purge"]
    assert complete("ack", "abc", "--can") == ["--cannot-attend"]
    assert complete("status", "--log-format", "") == ["plain", "json"]
    assert "--dry-run" in complete("once", "--")


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed (apt-get install zsh)")
def test_zsh_reads_the_completion():
    subprocess.run(["zsh", "-n", str(manuals.ROOT / manuals.FILES["zsh"])], check=True)
