package config

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
)

// Parse reads "key = value" lines; '#' starts a comment.
func Parse(r io.Reader) (map[string]string, error) {
	settings := map[string]string{}
	scanner := bufio.NewScanner(r)
	for number := 1; scanner.Scan(); number++ {
		line, _, _ := strings.Cut(scanner.Text(), "#")
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("line %d: expected key = value", number)
		}
		settings[strings.TrimSpace(key)] = os.ExpandEnv(strings.TrimSpace(value))
	}
	return settings, scanner.Err()
}
