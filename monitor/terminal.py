"""What `monitor` shows a person at a terminal: progress bars on stderr, stories as they come, and lines cut to
the terminal's width.

Neither appears when the output is a pipe or a file: logs and scripts get whole lines and no bars.
"""

from __future__ import annotations

import logging
import shutil
import sys
import unicodedata
from collections.abc import Awaitable, Callable
from typing import Any, TextIO

from monitor.core.html import one_line
from monitor.core.plurals import plural_category
from monitor.models import Story, StoryBatch

# Told how far long work has come, (done, total). The parts doing the work take one as an argument and
# know nothing of terminals.
Progress = Callable[[int, int], None]
# A progress bar for one piece of work, from its label and its unit ("polling", "sources").
ProgressBars = Callable[[str, str], Progress]


_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} {unit} [{elapsed}<{remaining}]"


class _Bar:
    """One tqdm bar, drawn from the first report with something to do and cleared once the work is done."""

    def __init__(self, label: str, unit: str) -> None:
        self.label, self.unit = label, unit
        self.bar: Any = None  # a tqdm bar while one is drawn (tqdm has no type information)

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if total <= 0 or done >= total:
                return
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=self.label, unit=self.unit, file=sys.stderr, leave=False,
                            dynamic_ncols=True, bar_format=_FORMAT)
        bar = self.bar
        bar.total = total
        bar.update(done - bar.n)
        if done >= total:
            bar.close()
            self.bar = None


class _AboveBars:
    """A log handler's stream that clears the bars before a line and draws them again after it."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> None:
        from tqdm import tqdm

        with tqdm.external_write_mode(file=self.stream):
            self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()


class ProgressOnTerminal:
    """Progress bars on stderr while a command runs, when `enabled`; log lines on stderr go above them."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._handlers: list[logging.StreamHandler] = []

    @property
    def bars(self) -> ProgressBars | None:
        """What to hand to long work: None when no bars are shown."""
        return _Bar if self.enabled else None

    def __enter__(self) -> ProgressOnTerminal:
        if self.enabled:
            for handler in logging.getLogger().handlers:
                if isinstance(handler, logging.StreamHandler) and handler.stream is sys.stderr:
                    handler.setStream(_AboveBars(sys.stderr))
                    self._handlers.append(handler)
        return self

    def __exit__(self, *exc) -> None:
        for handler in self._handlers:
            handler.setStream(sys.stderr)
        self._handlers.clear()


def shows_progress(json_output: bool = False) -> bool:
    """Bars only for a person watching: stderr is a terminal and the output is not meant for a program."""
    return not json_output and sys.stderr.isatty()


def terminal_width(out: TextIO) -> int | None:
    """The terminal's width in columns if `out` is a terminal; None for a pipe or a file (nothing is cut)."""
    try:
        return shutil.get_terminal_size().columns if out.isatty() else None
    except (AttributeError, ValueError, OSError):  # closed or unusual streams count as not a terminal
        return None


def counted(count: int, noun: str) -> str:
    """`1 source`, `2 sources`: English plurals for the command's own lines and the log."""
    return f"{count} {noun}" + ("" if plural_category("en", count) == "one" else "s")


def _columns(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def fit(line: str, width: int | None, keep: str = "") -> str:
    """`line` cut with "…" to `width` terminal columns (None: as it is). A `keep` that ends the line (a link)
    stays whole, the text before it is cut instead; a link too long for the terminal is left to wrap."""
    if width is None or sum(map(_columns, line)) <= width:
        return line
    tail = keep if keep and line.endswith(keep) else ""
    room = width - sum(map(_columns, tail)) - 1
    if room < 10:  # not even a few words would fit: better wrapped than unreadable
        return line
    head, used = [], 0
    for char in line[: len(line) - len(tail)]:
        used += _columns(char)
        if used > room:
            break
        head.append(char)
    return "".join(head).rstrip() + "…" + tail


def story_printer(out: TextIO = sys.stdout) -> Callable[[StoryBatch], Awaitable[None]]:
    """A story listener that prints new and growing stories: the way to see monitor work before a bot token
    is set."""

    async def show(batch: StoryBatch) -> None:
        width = terminal_width(out)  # asked per batch: the terminal may have been resized
        for story in sorted(batch.stories, key=lambda s: s.first_seen):
            headline, sources = story_lines(story)
            out.write(fit(headline, width) + "\n" + fit(sources, width, keep=f"  {story.url}") + "\n")
        out.flush()

    return show


def story_lines(story: Story) -> tuple[str, str]:
    """A story on the terminal: its headline line, then its sources and link. Each on one line whatever
    the names hold (a config file's name, a title stored by an older version, may break lines)."""
    when = story.first_seen.astimezone().strftime("%Y-%m-%d %H:%M")
    state = ("new" if story.item_count == 1 else
             f"{counted(story.source_count, 'source')}, {counted(story.item_count, 'report')}")
    languages = f" · {','.join(story.languages)}" if story.languages else ""
    sources = ", ".join(map(one_line, story.sources[:5])) + (" …" if len(story.sources) > 5 else "")
    return (f"{when}  #{story.id} [{state}{languages}]  {one_line(story.headline)}",
            f"    {sources}  {one_line(story.url)}")
