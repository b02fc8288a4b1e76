"""Real-time text as T.140 blocks: what a writer sends for each change of its field, and what a
reader makes of the blocks (kiosk.video.rtt, docs/call-help.md)."""

from __future__ import annotations

from kiosk.video.rtt import BACKSPACE, LINE_SEPARATOR, MAX_LINE, RttReader, clean, edits


def test_typing_sends_each_new_character_alone() -> None:
    typed = ["h", "he", "hei", "hei!"]
    blocks = [edits(old, new) for old, new in zip(["", *typed], typed, strict=False)]
    assert blocks == ["h", "e", "i", "!"]


def test_an_edit_in_the_middle_erases_back_to_it_and_types_the_rest() -> None:
    assert edits("hello world", "help world") == BACKSPACE * 8 + "p world"
    assert edits("abc", "") == BACKSPACE * 3
    assert edits("same", "same") == ""


def test_the_reader_sees_what_the_writers_field_holds_after_every_block() -> None:
    reader = RttReader()
    field = ""
    for text in ["T", "Te", "Tes", "Te", "Ter", "Terve", "Terve!", "Tere!", "Terve!"]:
        reader.feed(edits(field, text))
        field = text
        assert reader.current == text
    reader.feed(LINE_SEPARATOR)
    assert reader.lines == ["Terve!"] and reader.current == ""


def test_a_backspace_never_reaches_into_a_line_already_said() -> None:
    reader = RttReader()
    reader.feed("yes" + LINE_SEPARATOR + BACKSPACE * 5 + "no")
    assert reader.lines == ["yes"] and reader.current == "no"


def test_control_characters_are_not_obeyed() -> None:
    reader = RttReader()
    reader.feed("a\x1b[2Jb\ufeffc\u2029d\rq")
    assert reader.current == "a[2Jbcdq"
    assert clean("one\ttwo\nthree\u2028") == "one two three "


def test_a_line_that_is_never_ended_is_cut_rather_than_grown_without_bound() -> None:
    reader = RttReader()
    reader.feed("x" * (MAX_LINE * 2 + 5))
    assert [len(line) for line in reader.lines] == [MAX_LINE, MAX_LINE]
    assert reader.current == "x" * 5
