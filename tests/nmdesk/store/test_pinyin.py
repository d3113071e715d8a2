"""pypinyin loaded in pieces (nmdesk/compat/pypinyin.py) must equal pypinyin's own load."""

from __future__ import annotations

import subprocess
import sys

from nmdesk.compat.pypinyin import PHRASE_PIECE_CHARS, phrase_pieces

CHECK_IN_A_FRESH_PROCESS = """
import json
from nmdesk.store.search import pinyin_initials
first = pinyin_initials("北京理工大学重庆创新中心")
import sys
in_pieces = "pypinyin.phrases_dict" not in sys.modules  # pypinyin's own one-call load
from pypinyin.constants import PHRASES_DICT
from pypinyin.seg import mmseg
from nmdesk.compat.pypinyin import phrases_file
import pypinyin

whole = json.loads(phrases_file(pypinyin).read_text(encoding="utf-8"))
trained = mmseg.PrefixSet()
trained.train(whole.keys())
shared = PHRASES_DICT["一丁不识"][0] is PHRASES_DICT["一丝不挂"][0]  # both ["yī"]
pypinyin.lazy_pinyin("重庆大学", style=pypinyin.Style.FIRST_LETTER)
tones = pypinyin.pinyin("重庆大学") == [["chóng"], ["qìng"], ["dà"], ["xué"]]
print(PHRASES_DICT == whole, mmseg.seg._prefix_set._set == trained._set, first, len(whole),
      in_pieces, shared and tones)
"""


def test_the_phrase_dictionary_loaded_in_pieces_is_pypinyins_whole() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECK_IN_A_FRESH_PROCESS], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    same_dict, same_segmenter, initials, entries, in_pieces, shared = result.stdout.split()
    assert shared == "True"  # equal syllable lists shared, and pypinyin's results unchanged
    assert in_pieces == "True"  # search imported pypinyin through nmdesk.compat.pypinyin first
    assert same_dict == "True"
    assert same_segmenter == "True"
    assert initials == "bjlgdxcqcxzx"  # 重庆 is a phrase: chong, not zhong
    assert int(entries) > 40_000


def test_pieces_split_only_between_entries(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    entries = {f"词{i}": [["cí"], [f"y{i}", "z"]] for i in range(3000)}
    path = tmp_path / "phrases_dict.json"
    path.write_text(json.dumps(entries, ensure_ascii=False, indent=0), encoding="utf-8")
    pieces = list(phrase_pieces(path))
    assert len(pieces) > 1
    assert all(len(json.dumps(p, ensure_ascii=False)) < 2 * PHRASE_PIECE_CHARS for p in pieces)
    merged: dict[str, object] = {}
    for piece in pieces:
        merged.update(piece)
    assert merged == entries


def test_an_unexpected_layout_is_read_whole(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "phrases_dict.json"
    path.write_text('{"一丁不识": [["yī"], ["dīng"], ["bù"], ["shí"]]}', encoding="utf-8")
    assert list(phrase_pieces(path)) == [{"一丁不识": [["yī"], ["dīng"], ["bù"], ["shí"]]}]
