//go:build !unix

package main

// lockOutput does nothing where flock is missing (Windows): two batch
// processes on one output are not prevented there (see README).
func lockOutput(string) (func(), error) { return func() {}, nil }
