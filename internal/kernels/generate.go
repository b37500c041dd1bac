package kernels

//go:generate go run ./neonenc/gen neon_arm64.h
