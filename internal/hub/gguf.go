package hub

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ggufFiles lists the .gguf files of a folder, sorted.
func ggufFiles(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(strings.ToLower(e.Name()), ".gguf") {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

// matchesQuant reports whether a GGUF file name is of the quantization
// named (case-insensitive, whole word: "Q4_K" does not pick "Q4_K_M").
func matchesQuant(name, quant string) bool {
	n, q := strings.ToUpper(strings.TrimSuffix(name, filepath.Ext(name))), strings.ToUpper(quant)
	for i := strings.Index(n, q); i >= 0; {
		before := i == 0 || strings.ContainsRune("-_.", rune(n[i-1]))
		end := i + len(q)
		after := end == len(n) || strings.ContainsRune("-.", rune(n[end]))
		if before && after {
			return true
		}
		j := strings.Index(n[i+1:], q)
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// pickGGUF chooses among GGUF file names: the one matching quant, or the
// only one there is.
func pickGGUF(names []string, quant, where string) (string, error) {
	if quant == "" {
		if len(names) == 1 {
			return names[0], nil
		}
		return "", fmt.Errorf("%w: %s has %d GGUF files (%s): choose one with --quant", ErrNotFound, where, len(names), strings.Join(names, ", "))
	}
	var hits []string
	for _, n := range names {
		if matchesQuant(n, quant) {
			hits = append(hits, n)
		}
	}
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		return "", fmt.Errorf("%w: %s has no %s GGUF file (it has: %s)", ErrNotFound, where, quant, strings.Join(names, ", "))
	}
	return "", fmt.Errorf("%w: %s has several %s GGUF files (%s)", ErrNotFound, where, quant, strings.Join(hits, ", "))
}
