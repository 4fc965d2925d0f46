#include <algorithm>
#include <cassert>
#include <utility>
#include <vector>

using Interval = std::pair<int, int>;

// Merges overlapping intervals.
std::vector<Interval> merge(std::vector<Interval> in) {
    std::sort(in.begin(), in.end());
    std::vector<Interval> out;
    for (const auto& iv : in) {
        if (!out.empty() && iv.first <= out.back().second) {
            out.back().second = std::max(out.back().second, iv.second);
        } else {
            out.push_back(iv);
        }
    }
    return out;
}

int main() {
    auto merged = merge({{1, 3}, {2, 6}, {8, 10}});
    assert(merged.size() == 2 && merged[0] == Interval(1, 6));
    return 0;
}
