package hub

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
)

// repoIDPattern is huggingface_hub's validate_repo_id for a namespaced id:
// word characters, '-' and '.', each part starting and ending on a word
// boundary, the name at most 96 characters.
var repoIDPattern = regexp.MustCompile(`^\b[\w\-.]+\b/\b[\w\-.]{1,96}\b$`)

// ValidateRepoID refuses a repo id huggingface_hub would refuse (and with it
// every id that could name a path outside the cache): it must be OWNER/NAME,
// with no "--" or ".." and not ending in ".git".
func ValidateRepoID(repo string) error {
	switch {
	case !repoIDPattern.MatchString(repo):
		return fmt.Errorf("repo id %q: want OWNER/NAME of letters, digits, '-', '_' and '.'", repo)
	case strings.Contains(repo, "--") || strings.Contains(repo, ".."):
		return fmt.Errorf("repo id %q: cannot contain \"--\" or \"..\"", repo)
	case strings.HasSuffix(repo, ".git"):
		return fmt.Errorf("repo id %q: cannot end in .git", repo)
	}
	return nil
}

// ValidateRevision accepts branch names, tags, commits and refs such as
// refs/pr/1: '/'-separated parts that are never empty, "." or "..", with no
// backslash, control character or leading '/'.
func ValidateRevision(rev string) error {
	if rev == "" {
		return fmt.Errorf("revision is empty")
	}
	if err := validRelPath(rev); err != nil {
		return fmt.Errorf("revision %q: %w", rev, err)
	}
	return nil
}

// validRelPath checks a '/'-separated relative path given by a user or a
// server before it becomes part of a file name.
func validRelPath(p string) error {
	if len(p) > 1024 {
		return fmt.Errorf("longer than 1024 bytes")
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f || r == '\\' || r == ':' {
			return fmt.Errorf("contains %q", r)
		}
	}
	for _, part := range strings.Split(p, "/") {
		switch part {
		case "":
			return fmt.Errorf("has an empty path segment (leading, trailing or doubled '/')")
		case ".", "..":
			return fmt.Errorf("has a %q path segment", part)
		}
	}
	return nil
}

// within returns the cache path for rel under root, refusing any result
// that is not inside root once cleaned (the last guard before a write).
func within(root string, rel ...string) (string, error) {
	p := filepath.Join(append([]string{root}, rel...)...)
	r, err := filepath.Rel(root, p)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) || filepath.IsAbs(r) {
		return "", fmt.Errorf("path %q leaves the cache folder %s", filepath.Join(rel...), root)
	}
	return p, nil
}
