//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

//go:noescape
func bf16Dot512(x *float32, w *uint16, k int) float32

//go:noescape
func bf16Dot1x4_512(x *float32, w *uint16, ws int, k int, out *float32)

//go:noescape
func bf16Dot4x4_512(x *float32, xs int, w *uint16, ws int, k int, out *float32)

func availableImpls() []Impl {
	var out []Impl
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL {
		out = append(out, ImplAVX512)
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		out = append(out, ImplAVX2)
	}
	return append(out, ImplGo)
}

// smallActivations is the size (bytes) up to which the activation rows of a
// matmul are treated as cache-resident: weights-outer loop order.
const smallActivations = 128 << 10

// run512 is MatMul with the AVX-512 family over weight rows [lo, hi):
// 4×4 tiles (four activation rows by four weight rows), 1×4 for leftover
// activation rows, 1×1 for leftover weight rows. The loop order depends on
// how many activation rows there are (see smallActivations); the order of
// the tiles never changes a dot's result. xp holds the deinterleaved activations.
func (m *matmulTask) run512(lo, hi int) {
	w, K, N, T := m.w, m.w.Cols, m.w.Rows, m.T
	k32 := K &^ 31
	xp := m.xp
	tail := func(t, n int) float32 { // the elements past the last full chunk
		if k32 == K {
			return 0
		}
		return dotBF16Go(m.x[t*K+k32:(t+1)*K], w.BF16[n*K+k32:(n+1)*K])
	}
	n4 := lo + (hi-lo)&^3 // end of the whole 4-row weight tiles
	t4 := T &^ 3
	var o16 [16]float32
	var o4 [4]float32
	tile := func(t, n int) {
		bf16Dot4x4_512(&xp[t*K], K, &w.BF16[n*K], K, k32, &o16[0])
		for r := 0; r < 4; r++ {
			d := m.dst[(t+r)*N+n : (t+r)*N+n+4]
			d[0], d[1], d[2], d[3] = o16[4*r], o16[4*r+1], o16[4*r+2], o16[4*r+3]
		}
		if k32 != K {
			for r := 0; r < 4; r++ {
				for c := 0; c < 4; c++ {
					m.dst[(t+r)*N+n+c] += tail(t+r, n+c)
				}
			}
		}
	}
	if T*K*4 <= smallActivations {
		// Few activation rows (batched decode): they stay in cache anyway, so
		// each group of four weight rows serves every row block while hot and
		// the weights stream from memory exactly once.
		for n := lo; n < n4; n += 4 {
			for t := 0; t < t4; t += 4 {
				tile(t, n)
			}
		}
	} else {
		// Many rows (prefill): four activation rows stay in L1 while the
		// chunk's weight rows, cache-resident, pass under them.
		for t := 0; t < t4; t += 4 {
			for n := lo; n < n4; n += 4 {
				tile(t, n)
			}
		}
	}
	for t := t4; t < T; t++ {
		for n := lo; n < n4; n += 4 {
			bf16Dot1x4_512(&xp[t*K], &w.BF16[n*K], K, k32, &o4[0])
			for c := 0; c < 4; c++ {
				m.dst[t*N+n+c] = o4[c] + tail(t, n+c)
			}
		}
	}
	for n := n4; n < hi; n++ {
		for t := 0; t < T; t++ {
			m.dst[t*N+n] = bf16Dot512(&xp[t*K], &w.BF16[n*K], k32) + tail(t, n)
		}
	}
}
