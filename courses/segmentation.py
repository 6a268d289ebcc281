"""Search-text segmentation for Chinese.

PostgreSQL's text-search parser does not segment Chinese: "焊工安全操作" is one
token, so a search for "焊工" would not find it. We index and query CJK text
as unigrams (one character per token) and combine the query terms with AND;
Latin words and numbers stay whole words and are stemmed by the database as
usual. Simple, dependency-free, and good enough for course titles and
summaries; SQLite's FTS tokenizer treats the spaced text the same way.
"""

import re
import unicodedata
from collections.abc import Iterator

# CJK ideographs (unified, extension A and B–G, compatibility) and kana: the
# scripts written without spaces between words.
_CJK = "\u3005\u3007\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_CJK_CHAR = re.compile(f"([{_CJK}])")
_WORD = re.compile(r"\w+")


def search_tokens(text: str) -> Iterator[str]:
    """Yield the search tokens of ``text``: each CJK character on its own,
    every other run of letters and digits as one word. Punctuation and
    full-width forms are normalised away (NFKC)."""
    text = unicodedata.normalize("NFKC", text or "")
    for run in _WORD.findall(text):
        for piece in _CJK_CHAR.split(run):
            if piece and piece != "_":
                yield piece


def segment(text: str) -> str:
    """``text`` as space-separated search tokens, for indexing and querying."""
    return " ".join(search_tokens(text))
