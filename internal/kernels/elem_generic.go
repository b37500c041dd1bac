//go:build !amd64 || purego

package kernels

// Without vector kernels, the element-wise steps are their Go specifications.

func sumSquares8(s *[8]float64, x []float32, impl Impl) int { return sumSquares8Go(s, x) }

func scaleMul(dst, x, w []float32, inv float32, impl Impl) { scaleMulGo(dst, x, w, inv) }

func mul(dst, a, b []float32, impl Impl) { mulGo(dst, a, b) }

func mulAdd(dst, a, b []float32, impl Impl) { mulAddGo(dst, a, b) }

func add(dst, src []float32, impl Impl) { addGo(dst, src) }

func rope(lo, hi, cos, sin []float32, impl Impl) { ropeGo(lo, hi, cos, sin) }
