#pragma once
// Reads "key = value" lines; '#' starts a comment.
#include <istream>
#include <map>
#include <stdexcept>
#include <string>

namespace fixture {

inline std::string trim(const std::string& s) {
    auto begin = s.find_first_not_of(" \t");
    if (begin == std::string::npos) return "";
    auto end = s.find_last_not_of(" \t");
    return s.substr(begin, end - begin + 1);
}

inline std::map<std::string, std::string> parse_config(std::istream& in) {
    std::map<std::string, std::string> settings;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        line = trim(line.substr(0, line.find('#')));
        if (line.empty()) continue;
        auto eq = line.find('=');
        if (eq == std::string::npos) {
            throw std::runtime_error("line " + std::to_string(number) + ": expected key = value");
        }
        settings[trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
    }
    return settings;
}

}  // namespace fixture
