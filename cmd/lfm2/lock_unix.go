//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// lockOutput takes an exclusive flock on OUTPUT.lock (holding our pid) for
// the run, so two batch processes never write one output. The kernel drops
// the lock when the process dies, so a kill -9 leaves no stale lock.
func lockOutput(output string) (unlock func(), err error) {
	p := output + ".lock"
	f, err := os.OpenFile(p, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("--output: lock %s: %w", p, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		b, _ := os.ReadFile(p)
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			pid := strings.TrimSpace(string(b))
			if _, err := strconv.Atoi(pid); err != nil {
				pid = "unknown"
			}
			return nil, fmt.Errorf("%w: %s is in use by another lfm2 batch (pid %s)", errUsage, output, pid)
		}
		return nil, fmt.Errorf("--output: lock %s: %w", p, err)
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return func() {
		os.Remove(p)
		f.Close() // closing releases the flock
	}, nil
}
