"""Merge overlapping intervals."""


def merge(intervals):
    merged = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def total_length(intervals):
    return sum(end - start for start, end in merge(intervals))


assert merge([(1, 3), (2, 6), (8, 10)]) == [(1, 6), (8, 10)]
assert total_length([(0, 2), (1, 4)]) == 4
