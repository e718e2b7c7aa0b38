"""The viewer's mpv.conf and input.conf: read as mpv reads them, each line applied, mapped
to ours or refused with file:line; mpv's command-line spellings of --mpv options."""
from __future__ import annotations

from pathlib import Path

import pytest

from player.config.mpv_conf import (base_option, command_line_options, config_folder,
                                    mark_unknown, option_name, parse_line, read_setup)


def folder(tmp_path: Path, conf: str | bytes = "", inp: str | None = None) -> Path:
    d = tmp_path / "mpv"
    d.mkdir()
    if conf:
        (d / "mpv.conf").write_bytes(conf if isinstance(conf, bytes) else conf.encode())
    if inp is not None:
        (d / "input.conf").write_text(inp)
    return d


@pytest.mark.parametrize("line, want", [
    ("slang=jpn", ("slang", "jpn")),
    ("--alang=jpn,eng", ("alang", "jpn,eng")),
    ("fs", ("fs", None)),
    ("  volume = 70  # loud", ("volume", "70")),
    ('sub-font="Noto Sans # JP"', ("sub-font", "Noto Sans # JP")),
    ("title=%5%a b c", ("title", "a b c")),
    ("# a comment", None), ("", None),
])
def test_lines_parse_as_mpv_reads_them(line, want):
    assert parse_line(line) == want


@pytest.mark.parametrize("line", ["bad line here", 'sub-font="open', "title=%9%short"])
def test_broken_lines_say_why(line):
    with pytest.raises(ValueError):
        parse_line(line)


def test_each_line_is_applied_mapped_or_refused_with_its_line(tmp_path):
    d = folder(tmp_path, "\n".join([
        "slang=jpn", "vo=gpu-next", "scale=ewa_lanczossharp",
        'glsl-shaders="~~/shaders/a.glsl:~~/shaders/b.glsl"', "osd-font-size=40",
        "sub-font=Arial", "this is broken", "hwdec=auto", "fs", "[anime]", "deband=yes",
        "vo=gpu", "[default]", "volume=50"]))
    s = read_setup(d)
    conf = str(d / "mpv.conf")
    assert [ln.key for ln in s.applied] == ["slang", "hwdec", "deband", "volume"]
    assert s.scaler == "lanczos"
    assert s.shaders == (str(d / "shaders" / "a.glsl"), str(d / "shaders" / "b.glsl"))
    assert s.fullscreen is True
    lines = s.not_applied()
    assert f"{conf}:2: vo: not applied: a4kplay renders through libmpv's render API; " \
           "the window is ours" in lines
    assert any(x.startswith(f"{conf}:3: scale: mapped to our lanczos") for x in lines)
    assert any(x.startswith(f"{conf}:12: vo: not applied") for x in lines)   # in [anime]
    assert any(x.startswith(f"{conf}:7: expected '='") for x in lines)
    assert any(x.startswith(f"{conf}:6: sub-font: not applied") for x in lines)
    # what libmpv gets keeps the file's line numbers; refused lines are comments there
    text = s.include_text.splitlines()
    assert text[0] == "slang=jpn" and text[1].startswith("# a4kplay: not applied: vo=")
    assert text[9] == "[anime]" and text[10] == "deband=yes" and text[11].startswith("#")
    assert s.top_value("volume") == "50" and s.top_value("deband") is None


def test_not_utf8_is_one_broken_line_and_a_bom_is_skipped(tmp_path):
    d = folder(tmp_path, b"\xef\xbb\xbfslang=jpn\nsub-font=Gr\xfcn\nalang=jpn\n")
    s = read_setup(d)
    assert [ln.key for ln in s.applied] == ["slang", "alang"]
    assert s.not_applied() == [f"{d / 'mpv.conf'}:2: not UTF-8 (mpv reads its config as UTF-8)"]


def test_input_conf_keys_and_the_names_of_its_shader_modes(tmp_path):
    d = folder(tmp_path, "", 'CTRL+1 no-osd change-list glsl-shaders set "~~/shaders/x.glsl"; '
                             'show-text "Mode X"\nctrl+0 no-osd change-list glsl-shaders clr ""\n'
                             "# comment\nz add sub-delay -0.1\n")
    s = read_setup(d)
    assert s.input_conf == str(d / "input.conf")
    assert s.input_keys == {"Ctrl+1", "Ctrl+0", "z"}
    assert s.modes == {(str(d / "shaders" / "x.glsl"),): "Mode X"}


def test_no_config_and_a_folder_without_files(tmp_path, monkeypatch):
    assert config_folder(None, True) is None
    monkeypatch.setenv("MPV_HOME", str(tmp_path / "m"))
    assert config_folder(None, False) == tmp_path / "m"
    assert config_folder(str(tmp_path / "x"), False) == tmp_path / "x"
    assert read_setup(None).folder is None
    empty = read_setup(folder(tmp_path))
    assert empty.include_text == "" and empty.not_applied() == []


def test_command_line_spellings_map_as_mpvs_command_line_does():
    assert option_name("sub-file") == "sub-files-append"
    assert option_name("--fs") == "fullscreen"
    assert command_line_options([("sub-file", "a.en.ass"), ("sub-file", "b.ja.ass"),
                                 ("hwdec", "no"), ("hwdec", "auto")]) == \
        {"sub-files": "a.en.ass:b.ja.ass", "hwdec": "auto"}


def test_option_names_libmpv_does_not_know_become_broken_lines(tmp_path):
    d = folder(tmp_path, "slang=jpn\nno-border\nalang-append=fra\nfrobnicate=1\n[p]\n"
                         "profile-cond=true\n")
    s = read_setup(d)
    assert [base_option(ln.key, ln.value) for ln in s.applied] == \
        ["slang", "alang", "frobnicate", None]
    known = {"slang", "alang"}
    assert mark_unknown(s, known.__contains__) == \
        [f"{d / 'mpv.conf'}:4: frobnicate: libmpv knows no such option"]
    assert s.not_applied()[-1].endswith("frobnicate: libmpv knows no such option")
