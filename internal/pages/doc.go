// Package pages backs freshly allocated memory with pages in one call,
// instead of one page fault at a time as it is first written.
//
// A page fault costs about 11 µs in the virtual machines this project is
// measured on, 0.5 µs a page when the kernel populates a range at once:
// converting a Q4_0 file's weights into panels faulted 0.3 s of a 1.1 s
// `lfm2 run`, and the KV cache, written a row at a time, took six faults
// a decode step and three thousand for a 512-token prompt.
package pages
