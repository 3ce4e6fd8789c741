"""Text from a source made plain and safe."""

import pytest

from monitor.core.html import html_to_text, normalize_space, one_line, strip_controls, title_from_text


def test_html_to_text_keeps_paragraphs_and_decodes_entities():
    html = "<p>One &amp; two&nbsp;three</p><p>Four<br>five</p><script>x()</script><style>p{}</style>&laquo;six&raquo;"
    assert html_to_text(html) == "One & two three\n\nFour\nfive\n\n«six»"
    assert html_to_text("plain &lt;text&gt;") == "plain <text>"
    assert html_to_text("") == ""


# -- text from a source is untrusted: what a terminal or a renderer would act on goes ---------------

@pytest.mark.parametrize("hostile,clean", [
    ("\x1b]0;pwned\x07Real title", "Real title"),  # OSC 0 sets the terminal's title
    ("\x1b]52;c;cm0gLXJmIH4K\x07copy", "copy"),  # OSC 52 writes the clipboard
    ("\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\", "link"),  # OSC 8 hyperlink, ST-terminated
    ("\x1b[31mred\x1b[0m \x1b[2J\x1b[1;1Hclear", "red clear"),  # CSI: colours, clear screen, cursor
    ("\x9b31mC1 red\x9b0m", "C1 red"),  # the 8-bit CSI
    ("\x1bPdevice\x1b\\control \x1b7saved", "control saved"),  # DCS string, a two-character escape
    ("bell\x07 nul\x00 back\x08space\x7f", "bell nul backspace"),
    ("\u202eexe.gpj\u202c \u2066iso\u2069 \u202aembedded\u202c", "exe.gpj iso embedded"),  # bidi overrides
    ("\x1b]0;never terminated", ""),  # an unterminated string runs to the end of the line, as in a terminal
])
def test_strip_controls_removes_escape_sequences_whole(hostile, clean):
    assert strip_controls(hostile) == clean


def test_strip_controls_keeps_text_layout_and_marks():
    # line breaks of any kind become \n, tabs stay; LRM/RLM only direct neutral characters: kept
    assert strip_controls("one\r\ntwo\rthree\x85four\u2028five\tsix") == "one\ntwo\nthree\nfour\nfive\tsix"
    assert strip_controls("שלום\u200f, world\u200e!") == "שלום\u200f, world\u200e!"
    assert strip_controls("Привет 👋🏽 «мир»") == "Привет 👋🏽 «мир»"


def test_one_line_and_normalize_space_clean_what_sources_give():
    assert one_line("  Breaking:\n\x1b[1mBold\x1b[0m\tnews\u2028here ") == "Breaking: Bold news here"
    assert normalize_space("a\x1b[31m\nb\x07\n\n\nc") == "a\nb\n\nc"
    assert html_to_text("<p>&#x202E;gnp&#8238;.exe\x1b]0;x\x07</p><p>two</p>") == "gnp.exe\n\ntwo"


@pytest.mark.parametrize("text,limit,title", [
    ("Short first line\nSecond line", 100, "Short first line"),
    ("\n\n  First paragraph after blank lines.\n\nMore", 100, "First paragraph after blank lines."),
    ("The city council voted on Tuesday to close the old bridge to traffic, citing the engineers' report",
     60, "The city council voted on Tuesday to close the old bridge…"),
    ("Одно_очень_длинное_слово_без_пробелов_которое_не_режется_по_словам", 20, "Одно_очень_длинное_…"),
    ("", 100, ""),
])
def test_title_from_text_cuts_the_first_line_at_a_word(text, limit, title):
    assert title_from_text(text, limit) == title
    assert len(title) <= limit
