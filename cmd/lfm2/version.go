package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/lfm2go/lfm2/internal/kernels"
)

// versionString is what --version prints: the build (the module version,
// or the commit a checkout was built from), the Go toolchain and platform,
// and the kernel family this CPU gets — what a bug report needs.
func versionString() string {
	version, commit := "dev", "commit not recorded"
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			version = v
		}
		var rev, at, modified string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					modified = ", modified"
				}
			}
		}
		if rev != "" {
			commit = fmt.Sprintf("commit %.12s%s, %s", rev, modified, at)
		}
	}
	p := kernels.NewPool(1)
	defer p.Close()
	return fmt.Sprintf("%s (%s)\n%s %s/%s, kernels %s", version, commit, runtime.Version(), runtime.GOOS, runtime.GOARCH, p.Describe())
}
