package intervals

import "sort"

// Interval is a half-open range [Start, End).
type Interval struct{ Start, End int }

// Merge joins overlapping intervals.
func Merge(in []Interval) []Interval {
	sorted := append([]Interval(nil), in...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Start < sorted[j].Start })
	var out []Interval
	for _, iv := range sorted {
		if n := len(out); n > 0 && iv.Start <= out[n-1].End {
			if iv.End > out[n-1].End {
				out[n-1].End = iv.End
			}
			continue
		}
		out = append(out, iv)
	}
	return out
}
