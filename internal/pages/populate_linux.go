package pages

import "golang.org/x/sys/unix"

// populate is MADV_POPULATE_WRITE on whole pages (Linux 5.14 and later;
// an error, from an older kernel, changes nothing).
func populate(b []byte) {
	if len(b) > 0 {
		_ = unix.Madvise(b, unix.MADV_POPULATE_WRITE)
	}
}
