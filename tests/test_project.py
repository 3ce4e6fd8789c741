"""Checks on the project itself: the pure core stays pure, everything is documented (in the pages docs/generate.py
writes from the code; tests/test_docs.py keeps them fresh), Docker and CI agree."""

from __future__ import annotations

import argparse
import ast
import re
import shlex
import sys
import tomllib
from pathlib import Path

import pytest

from monitor.cli import command_parsers, documented_names
from monitor.config import OPTIONS, SOURCE_KEYS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = ROOT / "docs"


def imports(folder: str, root: Path = ROOT):
    """(file, module) for each import in a package of monitor (or one module, "app.py"), packages inside it too,
    imports inside functions too. A name imported from a module is given under it (`from monitor import storage`
    is monitor.storage, `from monitor.config import Settings` monitor.config.Settings), so a rule on a module
    sees its submodules imported by name; a relative import is given as the module it names."""
    place = root / "monitor" / folder
    paths = [place] if place.is_file() else sorted(place.rglob("*.py"))
    assert paths, f"monitor/{folder} has no modules"
    for path in paths:
        package = path.relative_to(root).parent.parts  # ("monitor", "core") or ("monitor", "core", "clustering")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                yield from ((path.relative_to(root), a.name) for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = package[:len(package) - node.level + 1] if node.level else ()
                module = ".".join([*base, *([node.module] if node.module else [])])
                yield from ((path.relative_to(root), module if a.name == "*" else f"{module}.{a.name}")
                            for a in node.names)


def is_in(name: str, module: str) -> bool:
    """The module itself, or anything inside it."""
    return name == module or name.startswith(module + ".")


def test_core_imports_only_the_standard_library_and_models():
    found = list(imports("core"))
    assert any(path.parts[-2] == "clustering" for path, _ in found)  # packages inside core too
    for path, name in found:
        top = name.split(".")[0]
        allowed = top in sys.stdlib_module_names or is_in(name, "monitor.models") or is_in(name, "monitor.core")
        assert allowed, f"{path} imports {name}: monitor/core must stay pure"


def test_storage_imports_only_the_standard_library_sqlite_utils_and_models():
    # Settings are not the store's business: what it keeps comes in as models (a SourceSpec, not a config).
    for path, name in imports("storage"):
        top = name.split(".")[0]
        allowed = (top in sys.stdlib_module_names or top == "sqlite_utils"
                   or any(is_in(name, m) for m in ("monitor.models", "monitor.storage", "monitor.core")))
        assert allowed, f"{path} imports {name}: monitor/storage takes models, never settings"


# The floor plan: (place, modules it never imports, why). Imports point inward: the faces (bot, CLI) call the
# services, the services use the adapters and the pure core, and app.py alone wires them all together.
NEVER_IMPORTS = [
    ("services", ("monitor.bot", "telegram", "monitor.cli", "monitor.app"),
     "services are the domain: what the bot renders comes in as a function"),
    ("bot", ("monitor.sources", "monitor.poller", "monitor.storage", "monitor.cli", "monitor.app"),
     "a handler parses, calls one service, and replies"),
    ("cli", ("monitor.bot",), "the CLI gets what the bot renders through app"),
    ("sources", ("telegram", "monitor.bot", "monitor.services", "monitor.app", "monitor.cli"),
     "adapters turn the network into items and know nothing of who uses them"),
    ("poller.py", ("telegram", "monitor.bot", "monitor.services", "monitor.app", "monitor.cli"),
     "the poller hands what it stores to the pipeline it is given"),
    ("delivery.py", ("monitor.bot", "monitor.services", "monitor.app", "monitor.cli"),
     "the sender is told what a chat's fate means through callbacks"),
    ("config.py", ("monitor.storage", "monitor.services", "monitor.bot", "monitor.app", "monitor.cli"),
     "settings are read, never wired"),
]


def forbidden_imports(place: str, forbidden: tuple[str, ...], root: Path = ROOT) -> list[str]:
    """"FILE imports NAME" for each import in `place` of a module in `forbidden` (or inside one)."""
    return [f"{path} imports {name}" for path, name in imports(place, root)
            if any(is_in(name, module) for module in forbidden)]


@pytest.mark.parametrize("place,forbidden,why", NEVER_IMPORTS, ids=[rule[0] for rule in NEVER_IMPORTS])
def test_imports_point_inward(place, forbidden, why):
    assert forbidden_imports(place, forbidden) == [], why


def test_a_module_imported_by_name_from_its_package_is_seen(tmp_path):
    """`from monitor import storage` and `from .. import poller` name the module they bring in: the rules see it."""
    bot = tmp_path / "monitor" / "bot"
    bot.mkdir(parents=True)
    (bot / "handler.py").write_text("from monitor import poller, storage\nfrom .. import sources\n"
                                    "from monitor.services import chats\nfrom .context import *\n")
    (forbidden,) = [rule[1] for rule in NEVER_IMPORTS if rule[0] == "bot"]
    assert forbidden_imports("bot", forbidden, tmp_path) == [
        f"monitor/bot/handler.py imports monitor.{name}" for name in ("poller", "storage", "sources")]
    assert ("monitor/bot/handler.py", "monitor.bot.context") in [(str(p), n) for p, n in imports("bot", tmp_path)]


def test_only_app_wires_the_bot_and_only_the_cli_runs_app():
    """app.py is the one composition root: it alone builds the bot (nothing outside the bot package imports
    it), and only the command line (and `python -m monitor`) starts app."""
    for path in sorted((ROOT / "monitor").rglob("*.py")):
        where = path.relative_to(ROOT / "monitor")
        for _, name in imports(str(where)):
            if is_in(name, "monitor.bot"):
                assert where.parts[0] == "bot" or where == Path("app.py"), f"{where} imports {name}"
            if is_in(name, "monitor.app"):
                assert where.parts[0] == "cli", f"{where} imports monitor.app: only the CLI starts it"
            if is_in(name, "telegram"):
                assert where.parts[0] == "bot" or where in (Path("delivery.py"), Path("app.py")), \
                    f"{where} imports {name}: only the bot, the sender and the wiring speak Telegram"


def test_every_data_file_ships_with_the_package():
    """monitor/data/ and the bot's catalogues are read with importlib.resources: a file setuptools does not ship
    is missing from an installed (not editable) package, and core (or the bot) fails on import."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    globs = setuptools.get("package-data", {}).get("monitor", [])
    package = ROOT / "monitor"
    files = [path for folder in ("data", "bot/locales") for path in (package / folder).rglob("*")
             if path.is_file() and "__pycache__" not in path.parts]
    assert any(path.suffix == ".toml" for path in files) and any(path.suffix == ".tsv" for path in files)
    for path in files:
        assert any(path.relative_to(package).match(glob) for glob in globs), f"pyproject.toml does not ship {path}"


def test_every_command_and_option_is_documented_with_help():
    page = (DOCS / "commands.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## monitor (.+?)\n(.*?)(?=^## |\Z)", page, flags=re.M | re.S))
    for name, parser in command_parsers():
        assert parser.description, f"`monitor {name}` has no description"
        assert name in sections, f"docs/commands.md does not document `monitor {name}`"
        for action in parser._actions:  # noqa: SLF001
            if action.help != argparse.SUPPRESS and action.dest != "help":
                assert action.help, f"`monitor {name}` {action.dest} has no help text"
                flag = action.option_strings[-1] if action.option_strings else action.metavar or action.dest
                shown = f"`{flag}".replace("|", "\\|")  # as a Markdown table cell has it
                assert shown in sections[name], f"docs/commands.md does not document {flag} of `monitor {name}`"


def test_every_config_option_and_source_key_is_documented():
    page = (DOCS / "config.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## \[+(\w+)\]+\n(.*?)(?=^## |\Z)", page, flags=re.M | re.S))
    for option in OPTIONS:
        assert option.help, f"{option.name} has no help text"
        assert f"| `{option.key}` |" in sections[option.section], f"docs/config.md does not document {option.name}"
        assert f"`{option.env}`" in sections[option.section]
    for key in SOURCE_KEYS:
        assert f"| `{key}` |" in sections["sources"], f"docs/config.md does not document the source key {key}"


def test_example_config_mentions_only_real_options():
    example = tomllib.loads((ROOT / "config.example.toml").read_text(encoding="utf-8"))
    names = {o.name for o in OPTIONS}
    for section, values in example.items():
        if section != "sources":
            assert {f"{section}.{k}" for k in values} <= names


def test_readme_opens_with_run_and_test_commands_and_ci_runs_the_test_command():
    blocks = re.findall(r"```sh\n(.*?)\n```", README, flags=re.S)
    run_command, test_command = blocks[0], blocks[1]
    assert "monitor run -c config.example.toml" in run_command and "pip install" in run_command
    assert "pytest" in test_command and "pip install" in test_command
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci
    assert re.search(r"^\.venv/bin/pytest -m slow$", ci, flags=re.M), "CI runs the slow lane too"


def test_every_table_column_is_documented():
    import sqlite_utils

    from monitor.storage.migrations import migrate

    db = sqlite_utils.Database(memory=True)
    migrate(db.conn)
    page = (DOCS / "schema.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## (\w+)\n(.*?)(?=^## |\Z)", page, flags=re.M | re.S))
    for table in db.table_names():
        assert table in sections, f"docs/schema.md does not document the table {table}"
        for column in db[table].columns_dict:
            assert re.search(rf"^\| `{column}` \| .+ \| .+ \|$", sections[table], flags=re.M), \
                f"docs/schema.md does not describe {table}.{column}"


def test_dockerfile_names_things_that_exist():
    lines = [ln.strip() for ln in (ROOT / "Dockerfile").read_text().splitlines() if ln.strip()]
    text = "\n".join(lines)
    assert lines[[ln.startswith("#") for ln in lines].index(False)].startswith("FROM python:3.1")
    for line in lines:
        if line.startswith("COPY "):
            for source in shlex.split(line)[1:-1]:
                assert (ROOT / source).exists(), f"Dockerfile copies {source}, which does not exist"
    env = dict(re.findall(r"(MONITOR_[A-Z_]+)=(\S+)", text))
    option_envs = {o.env for o in OPTIONS} | {"MONITOR_CONFIG"}
    assert set(env) <= option_envs
    assert env["MONITOR_STORAGE_PATH"].startswith("/data/")
    assert re.search(r'VOLUME \["/data"\]', text)
    assert f"COPY config.example.toml {env['MONITOR_CONFIG']}" in text
    user = re.search(r"^USER (\S+)", text, flags=re.M)
    assert user and user.group(1) not in ("root", "0")
    cmd = re.search(r"^CMD (\[.*\])", text, flags=re.M).group(1)
    program, *args = ast.literal_eval(cmd)
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert program in scripts and args[0] in documented_names()["commands"]


def test_every_bot_command_is_registered_documented_and_described():
    from monitor.bot.application import build_application
    from monitor.bot.texts import CATALOGUES, COMMANDS
    from monitor.config import TelegramSettings

    application = build_application(TelegramSettings("1:x", "http://127.0.0.1:9", "http://127.0.0.1:9", ()))
    registered = {c for group in application.handlers.values() for h in group for c in getattr(h, "commands", ())}
    assert registered == {name for name, _ in COMMANDS}
    page = (DOCS / "bot.md").read_text(encoding="utf-8")
    for name in registered:
        assert f"| `/{name}` |" in page, f"docs/bot.md does not document /{name}"
        assert all(f"cmd_{name}" in catalogue for catalogue in CATALOGUES.values())
