"""The command line -> the playlist: files, URLs, folders in natural order, problems."""
from __future__ import annotations

import os

import pytest

from player.playback.playlist import MEDIA_EXTENSIONS, expand, natural_key


def _touch(folder, *names):
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(b"")


def test_natural_key_orders_like_a_file_manager():
    names = ["ep10.mkv", "ep2.mkv", "Ep1.mkv", "ep1.mkv", "ep02.mkv", "ep2b.mkv",
             "extra.mkv", "10.mkv", "9.mkv", "ep100.mkv"]
    assert sorted(names, key=natural_key) == [
        "9.mkv", "10.mkv", "Ep1.mkv", "ep1.mkv", "ep02.mkv", "ep2.mkv", "ep2b.mkv",
        "ep10.mkv", "ep100.mkv", "extra.mkv"]
    # the tie-break on the exact name makes the order independent of the input order
    assert sorted(reversed(names), key=natural_key) == sorted(names, key=natural_key)
    assert sorted(["[Grp] Show - 12 [1080p].mkv", "[Grp] Show - 3 [1080p].mkv"], key=natural_key) \
        == ["[Grp] Show - 3 [1080p].mkv", "[Grp] Show - 12 [1080p].mkv"]


def test_folder_becomes_its_media_files_in_natural_order(tmp_path):
    season = tmp_path / "Season 1"
    _touch(season, "ep10.mkv", "ep2.MKV", "ep1.mp4", "notes.txt", "ep3.mkv.part",
           ".hidden.mkv", "cover.jpg", "ep4.m2ts", "ep5.webm")
    (season / "Extras").mkdir()
    _touch(season / "Extras", "ep0.mkv")                       # not recursive
    os.mkfifo(season / "ep6.mkv")                             # not a regular file
    entries, problems = expand([str(season)])
    assert problems == []
    assert [os.path.basename(e) for e in entries] == [
        "ep1.mp4", "ep2.MKV", "ep4.m2ts", "ep5.webm", "ep10.mkv"]
    assert all(e.startswith(str(season) + os.sep) for e in entries)


def test_every_listed_extension_counts(tmp_path):
    _touch(tmp_path / "f", *[f"a{i}.{ext.upper() if i % 2 else ext}"
                             for i, ext in enumerate(MEDIA_EXTENSIONS)])
    entries, problems = expand([str(tmp_path / "f")])
    assert len(entries) == len(MEDIA_EXTENSIONS) == 14 and problems == []


def test_files_and_urls_pass_through_in_the_given_order(tmp_path):
    _touch(tmp_path, "b.mkv", "a.mkv", "clip.bin")
    args = [str(tmp_path / "b.mkv"), "https://example.org/v.mp4", str(tmp_path / "a.mkv"),
            str(tmp_path / "clip.bin"), "-", "ytdl://abc"]
    assert expand(args) == (args, [])


def test_folders_and_files_mix(tmp_path):
    _touch(tmp_path / "s", "e2.mkv", "e1.mkv")
    _touch(tmp_path, "intro.mkv")
    entries, problems = expand([str(tmp_path / "intro.mkv"), str(tmp_path / "s")])
    assert [os.path.relpath(e, tmp_path) for e in entries] == \
        ["intro.mkv", os.path.join("s", "e1.mkv"), os.path.join("s", "e2.mkv")]


def test_empty_folder_and_missing_path_are_problems_not_errors(tmp_path):
    _touch(tmp_path / "empty", "readme.txt", ".x.mkv")
    _touch(tmp_path, "ok.mkv")
    os.symlink(tmp_path / "gone.mkv", tmp_path / "link.mkv")
    missing = str(tmp_path / "nope.mkv")
    entries, problems = expand([str(tmp_path / "empty"), missing, str(tmp_path / "ok.mkv"),
                                str(tmp_path / "link.mkv")])
    assert entries == [str(tmp_path / "ok.mkv")]
    assert problems[0].startswith(f"{tmp_path / 'empty'}: no media files in this folder")
    assert problems[1] == f"{missing}: no such file"
    assert problems[2] == f"{tmp_path / 'link.mkv'}: broken symbolic link"
    assert len(problems) == 3


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder")
def test_unreadable_folder_is_a_problem(tmp_path):
    locked = tmp_path / "locked"
    _touch(locked, "e1.mkv")
    locked.chmod(0)
    try:
        entries, problems = expand([str(locked)])
    finally:
        locked.chmod(0o755)
    assert entries == [] and "cannot read this folder" in problems[0]


def test_nothing_in_nothing_out():
    assert expand([]) == ([], [])
