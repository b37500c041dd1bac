//go:build arm64 && !purego

package kernels

func neonDotFamily() family {
	f := neonFamily()
	f.impl = ImplNEONDot
	return f
}

func neonBF16Family(fast bool) family {
	f := neonDotFamily()
	f.impl = ImplNEONBF16
	return f
}
