"""The config schema: the example validates, every problem is reported at once, exit 78."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from syncd import config
from syncd.cli import main
from syncd.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    path.chmod(mode)
    return path


def test_the_example_validates_and_documents_every_key():
    cfg = config.load(ROOT / "config.example.toml")
    assert cfg.accounts[0]["type"] == "local"
    assert any("config.example.toml unchanged" in str(w) for w in cfg.warnings)
    assert cfg.buffers["before"] == timedelta(minutes=15)
    text = (ROOT / "config.example.toml").read_text()
    for section, keys in config.SCHEMA.items():
        assert f"[{section}]" in text
        for key in keys:
            documented = f"{key} =" in text or f"[{section}.{key}]" in text
            assert documented, f"{section}.{key} is not documented in config.example.toml"
    for kind, keys in config.ACCOUNT_SCHEMA.items():
        for key in keys:
            assert f"{key} =" in text, f"accounts ({kind}).{key} is not documented"


def test_durations():
    assert config.parse_duration("90s") == timedelta(seconds=90)
    assert config.parse_duration("2h") == timedelta(hours=2)
    assert config.parse_duration("30d") == timedelta(days=30)
    for bad in ("15", "m", "1.5h", "", "-3m"):
        with pytest.raises(ValueError):
            config.parse_duration(bad)


def test_every_problem_at_once_with_file_key_value_and_expectation(tmp_path):
    path = write(tmp_path, """
[daemon]
poll_intervall = "5m"
horizon = "forever"
[buffers]
before = 15
[interviews]
include = ["(unclosed"]
[[accounts]]
name = "x"
type = "carddav"
[[accounts]]
name = "y"
type = "caldav"
""")
    with pytest.raises(ConfigError) as err:
        config.load(path)
    text = str(err.value)
    assert all(str(path) in p for p in text.splitlines())
    assert "daemon.poll_intervall: unknown key; did you mean 'poll_interval'?" in text
    assert "daemon.horizon = 'forever': expected a duration" in text
    assert "buffers.before = 15: expected a duration" in text
    assert "interviews.include" in text and "regular expression" in text
    assert "accounts[0].type = 'carddav': one of local, caldav" in text
    assert "accounts[1].url: is required" in text
    assert len(err.value.problems) == 6


def test_inline_password_needs_a_private_file(tmp_path):
    text = '[[accounts]]\nname = "d"\ntype = "caldav"\nurl = "http://x/"\npassword = "hunter2"\n'
    with pytest.raises(ConfigError) as err:
        config.load(write(tmp_path, text, mode=0o644))
    assert "chmod 600" in str(err.value) and "hunter2" not in str(err.value)
    assert config.load(write(tmp_path, text, mode=0o600)).accounts[0]["password"] == "hunter2"


def test_relative_paths_are_relative_to_the_config_file(tmp_path):
    cfg = config.load(write(tmp_path, '[[accounts]]\nname = "d"\ntype = "local"\npath = "cals"\n'))
    assert cfg.accounts[0]["path"] == tmp_path / "cals"


@pytest.mark.parametrize("text, key", [
    ("[daemon\n", "(syntax)"),
    ('[daemon]\ntimezone = "Mars/Base"\n[[accounts]]\nname="a"\ntype="local"\npath="x"\n', "daemon.timezone"),
    ('[[accounts]]\nname="a"\ntype="local"\npath="x"\n[[accounts]]\nname="a"\ntype="local"\npath="y"\n',
     "accounts[1].name"),
])
def test_cli_exits_78_naming_file_and_key(tmp_path, capsys, text, key):
    path = write(tmp_path, text)
    assert main(["--config", str(path), "check-config"]) == 78
    err = capsys.readouterr().err
    assert str(path) in err and key in err


def test_missing_file_exits_78(tmp_path, capsys):
    assert main(["--config", str(tmp_path / "nope.toml"), "once"]) == 78
    assert "nope.toml" in capsys.readouterr().err


def test_check_config_ok(capsys):
    assert main(["--config", str(ROOT / "config.example.toml"), "check-config"]) == 0
    assert "ok" in capsys.readouterr().out


def test_a_graph_account_signs_in_one_way(tmp_path):
    head = '[[accounts]]\nname = "m"\ntype = "msgraph"\n'
    ok = config.load(write(tmp_path, head + 'client_id = "x"\ntoken_file = "t.json"\n'))
    assert ok.accounts[0]["tenant"] == "common"
    assert config.load(write(tmp_path, head + 'token_command = ["az"]\n')).accounts[0]["token_command"] == ("az",)
    with pytest.raises(ConfigError) as caught:
        config.load(write(tmp_path, head))
    assert {p.key for p in caught.value.problems} == {"accounts[0].client_id", "accounts[0].token_file"}
    with pytest.raises(ConfigError) as caught:
        config.load(write(tmp_path, head + 'token_command = ["az"]\ntoken_file = "t.json"\n'))
    assert [p.key for p in caught.value.problems] == ["accounts[0].token_file"]


BASE = '[daemon]\nstate_dir = "state"\n[[accounts]]\nname = "a"\ntype = "local"\npath = "cal"\n' \
       '[interviews]\nself = ["me@mine.test"]\n[followup]\nfrom = "Me <me@mine.test>"\n'


@pytest.mark.parametrize("extra, key", [
    ('[daemon]\npoll_interval = "0s"\n', "daemon.poll_interval"),
    ('[daemon]\nhorizon = "3000000d"\n', "daemon.horizon"),
    ('[daemon]\nhorizon = "99999999999999999999d"\n', "daemon.horizon"),
    ('[buffers]\nbefore = "400d"\n', "buffers.before"),
    ('[followup]\ngrace = "9999w"\n', "followup.grace"),
    ('[[accounts]]\nname = "b"\ntype = "local"\npath = "cal"\ntimeout = "0s"\n', "accounts[1].timeout"),
])
def test_durations_outside_a_sane_range_exit_78(tmp_path, capsys, extra, key):
    text = BASE.replace('[daemon]\n', extra) if extra.startswith("[daemon]") else BASE + extra
    if extra.startswith("[buffers]") or extra.startswith("[followup]"):
        section, _, line = extra.partition("\n")
        text = BASE.replace(f"{section}\n", f"{section}\n{line}") if section in BASE else BASE + extra
    (tmp_path / "cal").mkdir()
    path = write(tmp_path, text)
    assert main(["--config", str(path), "check-config"]) == 78
    err = capsys.readouterr().err
    assert str(path) in err and key in err and "Traceback" not in err


def test_a_state_dir_that_is_a_file_exits_78(tmp_path, capsys):
    (tmp_path / "cal").mkdir()
    (tmp_path / "state").write_text("not a folder")
    path = write(tmp_path, BASE)
    for verb in ("check-config", "once", "status"):
        assert main(["--config", str(path), verb]) == 78
        err = capsys.readouterr().err
        assert "daemon.state_dir" in err and "a file" in err


@pytest.mark.parametrize("change, key", [
    (('self = ["me@mine.test"]', "self = []"), "interviews.self"),
    (('from = "Me <me@mine.test>"', ""), "followup.from"),
    (('type = "local"\npath = "cal"', 'type = "caldav"\nurl = "https://dav.test/"'), "accounts[0]"),
])
def test_what_will_not_work_as_meant_is_a_warning_with_file_and_key(tmp_path, capsys, change, key):
    (tmp_path / "cal").mkdir()
    path = write(tmp_path, BASE.replace(*change))
    assert main(["--config", str(path), "check-config"]) == 0
    captured = capsys.readouterr()
    assert f"warning: {path}: {key}" in captured.err
    assert "ok with 1 warning, 1 account (" in captured.out


def test_the_example_copied_unchanged_is_named(capsys):
    assert main(["--config", str(ROOT / "config.example.toml"), "check-config"]) == 0
    assert "config.example.toml unchanged" in capsys.readouterr().err


def test_a_clean_config_has_no_warning(tmp_path, capsys):
    (tmp_path / "cal").mkdir()
    path = write(tmp_path, BASE)
    assert main(["--config", str(path), "check-config"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out.endswith(": ok, 1 account (a (local))\n")
