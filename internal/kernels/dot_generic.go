//go:build !amd64 || purego

package kernels

func availableImpls() []Impl { return []Impl{ImplGo} }

func dotBF16(x []float32, w []uint16) float32 { return dotBF16Go(x, w) }

func dotF32(x, w []float32) float32 { return dotGo(x, w) }

// The SIMD families do not exist in this build; MatMul never selects them.
func (m *matmulTask) run512(lo, hi int)         { panic("kernels: avx512 not in this build") }
func (m *matmulTask) runAVX2(lo, hi int)        { panic("kernels: avx2 not in this build") }
func (m *matmulTask) runAMX(worker, lo, hi int) { panic("kernels: amx not in this build") }

// runQ4 runs the Go specification: there are no vector kernels in this build.
func (m *matmulTask) runQ4(lo, hi int) { m.runQ4Go(lo, hi) }

func amxTileConfig() (cfg [64]byte) { return cfg }

func packAMXFast(dst []uint64, x []float32, T, K, u0, u1 int) { packAMX(dst, x, T, K, u0, u1) }

func (p *Pool) attnScores(s, qt, k []float32, d, kstride int) { attnScoresGo(s, qt, k, d, kstride) }

func (p *Pool) attnSoftmax(s, m, l, mult []float32, masks *[lanes]uint16) {
	attnSoftmaxGo(s, m, l, mult, masks)
}

func (p *Pool) attnAccum(ot, pr, v, mult []float32, d, vstride int) {
	attnAccumGo(ot, pr, v, mult, d, vstride)
}

func (p *Pool) swiglu(dst, gate, up []float32) { SwiGLU(dst, gate, up) }

// Q4Native: no native 4-bit kernels in this build.
func Q4Native() bool { return false }
