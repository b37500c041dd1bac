package kernels

import (
	"fmt"
	"os"
	"strings"
)

// l1DataBytes is the size of the first CPU's level-1 data cache as Linux
// reports it, or 0 where it does not say.
func l1DataBytes() int {
	for i := 0; ; i++ {
		dir := fmt.Sprintf("/sys/devices/system/cpu/cpu0/cache/index%d/", i)
		level, err := os.ReadFile(dir + "level")
		if err != nil {
			return 0
		}
		kind, err := os.ReadFile(dir + "type")
		if err != nil {
			return 0
		}
		if strings.TrimSpace(string(level)) != "1" || strings.TrimSpace(string(kind)) != "Data" {
			continue
		}
		size, err := os.ReadFile(dir + "size")
		if err != nil {
			return 0
		}
		return parseCacheSize(string(size))
	}
}
