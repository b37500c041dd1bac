// Command gen writes the arm64 kernels' instruction macros (neon_arm64.h)
// from package neonenc's encoding table.
package main

import (
	"fmt"
	"os"

	"github.com/lfm2go/lfm2/internal/kernels/neonenc"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gen OUT.h")
		os.Exit(2)
	}
	h, err := neonenc.Header()
	if err == nil {
		err = os.WriteFile(os.Args[1], []byte(h), 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
