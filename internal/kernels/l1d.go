package kernels

import (
	"strconv"
	"strings"
)

// parseCacheSize reads a cache size as Linux's sysfs writes it ("32K",
// "1024K", "2M", or bytes), or 0 if it is none of those.
func parseCacheSize(s string) int {
	s = strings.TrimSpace(s)
	unit := 1
	switch {
	case strings.HasSuffix(s, "K"):
		unit, s = 1<<10, strings.TrimSuffix(s, "K")
	case strings.HasSuffix(s, "M"):
		unit, s = 1<<20, strings.TrimSuffix(s, "M")
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0
	}
	return n * unit
}
