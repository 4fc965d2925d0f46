"""Count words in a text and report the most frequent ones."""

import collections
import re

WORD = re.compile(r"[A-Za-z']+")


def count_words(text):
    """Return a Counter of lower-cased words."""
    return collections.Counter(w.lower() for w in WORD.findall(text))


def top_words(text, n=5):
    counts = count_words(text)
    return [word for word, _ in counts.most_common(n)]


if __name__ == "__main__":
    sample = "the cat sat on the mat and the dog sat on the log"
    for word in top_words(sample, 3):
        print(word.upper())
