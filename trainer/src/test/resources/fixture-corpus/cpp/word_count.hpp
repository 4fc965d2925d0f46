#pragma once
// Counts words in text and reports the most frequent ones.
#include <algorithm>
#include <cctype>
#include <map>
#include <string>
#include <vector>

namespace fixture {

inline std::map<std::string, int> count_words(const std::string& text) {
    std::map<std::string, int> counts;
    std::string word;
    for (char c : text + ' ') {
        if (std::isalpha(static_cast<unsigned char>(c))) {
            word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else if (!word.empty()) {
            ++counts[word];
            word.clear();
        }
    }
    return counts;
}

inline std::vector<std::string> top_words(const std::string& text, std::size_t n) {
    auto counts = count_words(text);
    std::vector<std::pair<std::string, int>> items(counts.begin(), counts.end());
    std::stable_sort(items.begin(), items.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    std::vector<std::string> words;
    for (std::size_t i = 0; i < items.size() && i < n; ++i) {
        words.push_back(items[i].first);
    }
    return words;
}

}  // namespace fixture
