package io.babelflow.trainer.corpus;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;

/**
 * Include/exclude globs over '/'-separated paths relative to a source root. A leading {@code **}{@code /}
 * also matches at the top level, so {@code **}{@code /*.py} takes {@code os.py} as well as
 * {@code json/decoder.py}, which Java's own glob syntax would not.
 */
final class Glob {
    private final List<PathMatcher> include;
    private final List<PathMatcher> exclude;

    Glob(List<String> include, List<String> exclude) {
        this.include = include.stream().map(Glob::compile).toList();
        this.exclude = exclude.stream().map(Glob::compile).toList();
    }

    boolean matches(String relative) {
        Path p = Path.of(relative);
        return include.stream().anyMatch(m -> m.matches(p)) && exclude.stream().noneMatch(m -> m.matches(p));
    }

    private static PathMatcher compile(String glob) {
        PathMatcher full = FileSystems.getDefault().getPathMatcher("glob:" + glob);
        if (!glob.startsWith("**/")) {
            return full;
        }
        PathMatcher top = FileSystems.getDefault().getPathMatcher("glob:" + glob.substring(3));
        return p -> full.matches(p) || top.matches(p);
    }
}
