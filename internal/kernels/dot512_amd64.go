//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

//go:noescape
func bf16Dot512(x *float32, w *uint16, k int) float32

//go:noescape
func bf16Dot1x4_512(x *float32, w *uint16, ws int, k int, out *float32)

//go:noescape
func bf16Dot4x4_512(x *float32, xs int, w *uint16, ws int, k int, out *float32)

//go:noescape
func q4Panel1x4AVXVNNI(xq *int8, corr *int32, xs *float32, nib *byte, ns int, sc *uint16, ss int, nb int, out *float32, ostride int)

//go:noescape
func q4Panel1AVXVNNI(xq *int8, corr *int32, xs *float32, nib *byte, sc *uint16, nb int, out *float32)

//go:noescape
func q4Panel1AVX2(xq *int8, corr *int32, xs *float32, nib *byte, sc *uint16, nb int, out *float32)

//go:noescape
func q8Dot512(x *float32, q *int8, sc *float32, k int) float32

//go:noescape
func q8Dot1x4_512(x *float32, q *int8, qs int, sc *float32, scs int, k int, out *float32)

//go:noescape
func q8Dot4x4_512(x *float32, xs int, q *int8, qs int, sc *float32, scs int, k int, out *float32)

//go:noescape
func affineDot512(x *float32, q *int8, sc *float32, k int) float32

//go:noescape
func affineDot1x4_512(x *float32, q *int8, qs int, sc *float32, scs int, k int, out *float32)

//go:noescape
func bf16Dot2x4_512(x *float32, xs int, w *uint16, ws int, n int, out *float32)

//go:noescape
func bf16Dot3x4_512(x *float32, xs int, w *uint16, ws int, n int, out *float32)

//go:noescape
func affineDot4x4_512(x *float32, xs int, q *int8, qs int, sc *float32, scs int, k int, out *float32)

func availableImpls() []Impl {
	var out []Impl
	if amxUsable() {
		out = append(out, ImplAMX)
	}
	if hasAVX512BF16() {
		out = append(out, ImplAVX512BF16)
	}
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL {
		out = append(out, ImplAVX512)
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		out = append(out, ImplAVX2)
	}
	return append(out, ImplGo)
}

// tiles512 calls the AVX-512 tile kernels for one matrix's storage type:
// four activation rows by four weight rows, one by four, one by one. (A
// struct with methods, not closures, so nothing is allocated per call.)
type tiles512 struct {
	w      *Mat
	format Format // bf16, int8 or int8-affine
	xp     []float32
	k      int // Cols
	k32    int // Cols rounded down to a whole chunk
	spr    int // int8 scales per row
	apr    int // affine block floats per row
}

func (m *matmulTask) tiles512() tiles512 {
	K := m.w.Cols
	return tiles512{w: m.w, format: m.w.Format(), xp: m.xp, k: K, k32: K &^ 31, spr: K / Q8Block, apr: K / Q8Block * AffineFloats}
}

func (k *tiles512) t4x4(t, n int, out *[16]float32) {
	switch k.format {
	case FormatInt8Affine:
		affineDot4x4_512(&k.xp[t*k.k], k.k, &k.w.Q8[n*k.k], k.k, &k.w.Affine[n*k.apr], k.apr, k.k, &out[0])
	case FormatInt8:
		q8Dot4x4_512(&k.xp[t*k.k], k.k, &k.w.Q8[n*k.k], k.k, &k.w.Scales[n*k.spr], k.spr, k.k, &out[0])
	default:
		bf16Dot4x4_512(&k.xp[t*k.k], k.k, &k.w.BF16[n*k.k], k.k, k.k32, &out[0])
	}
}

// t1x4 is one activation row against weight rows n, n+q, n+2q, n+3q.
func (k *tiles512) t1x4(t, n, q int, out *[4]float32) {
	switch k.format {
	case FormatInt8Affine:
		affineDot1x4_512(&k.xp[t*k.k], &k.w.Q8[n*k.k], q*k.k, &k.w.Affine[n*k.apr], q*k.apr, k.k, &out[0])
	case FormatInt8:
		q8Dot1x4_512(&k.xp[t*k.k], &k.w.Q8[n*k.k], q*k.k, &k.w.Scales[n*k.spr], q*k.spr, k.k, &out[0])
	default:
		bf16Dot1x4_512(&k.xp[t*k.k], &k.w.BF16[n*k.k], q*k.k, k.k32, &out[0])
	}
}

// rx4Rows is how many of left activation rows rx4 takes at once: two or
// three where the format has such tiles (bf16), else one (t1x4).
func (k *tiles512) rx4Rows(left int) int {
	if k.format != FormatBF16 || left < 2 {
		return 1
	}
	return min(left, 3)
}

// rx4 is r (rx4Rows) activation rows from t against weight rows n, n+q,
// n+2q, n+3q; out[4i+c].
// (Called directly, not through a func value, so that out stays on the
// caller's stack.)
func (k *tiles512) rx4(r, t, n, q int, out *[16]float32) {
	if r == 3 {
		bf16Dot3x4_512(&k.xp[t*k.k], k.k, &k.w.BF16[n*k.k], q*k.k, k.k32, &out[0])
		return
	}
	bf16Dot2x4_512(&k.xp[t*k.k], k.k, &k.w.BF16[n*k.k], q*k.k, k.k32, &out[0])
}

func (k *tiles512) t1x1(t, n int) float32 {
	switch k.format {
	case FormatInt8Affine:
		return affineDot512(&k.xp[t*k.k], &k.w.Q8[n*k.k], &k.w.Affine[n*k.apr], k.k)
	case FormatInt8:
		return q8Dot512(&k.xp[t*k.k], &k.w.Q8[n*k.k], &k.w.Scales[n*k.spr], k.k)
	}
	return bf16Dot512(&k.xp[t*k.k], &k.w.BF16[n*k.k], k.k32)
}

// run512 is MatMul with the AVX-512 family over weight rows [lo, hi) of a
// bf16 or int8 matrix: 4×4 tiles, 1×4 for leftover activation rows, 1×1 for
// leftover weight rows. The loop order depends on how many activation rows
// there are (see eachTile); the order of the tiles never changes a
// dot's result. xp holds the deinterleaved activations; bf16 rows whose
// length is not a multiple of 32 get the rest added in Go.
func (m *matmulTask) run512(_, lo, hi int) {
	w, K, N, T := m.w, m.w.Cols, m.w.Rows, m.T
	k32 := K &^ 31
	tiles := m.tiles512()
	tail := func(t, n int) float32 { // the elements past the last full chunk
		return dotBF16Go(m.x[t*K+k32:(t+1)*K], w.BF16[n*K+k32:(n+1)*K])
	}
	hasTail := w.Format() == FormatBF16 && k32 != K
	n4 := lo + (hi-lo)&^3 // end of the whole 4-row weight tiles
	t4 := T &^ 3
	var o16 [16]float32
	tile := func(t, n int) {
		tiles.t4x4(t, n, &o16)
		for r := 0; r < 4; r++ {
			d := m.dst[(t+r)*N+n : (t+r)*N+n+4]
			d[0], d[1], d[2], d[3] = o16[4*r], o16[4*r+1], o16[4*r+2], o16[4*r+3]
		}
		if hasTail {
			for r := 0; r < 4; r++ {
				for c := 0; c < 4; c++ {
					m.dst[(t+r)*N+n+c] += tail(t+r, n+c)
				}
			}
		}
	}
	eachTile(T, K, lo, hi, 4, tile)
	// Leftover activation rows (decode): the whole 4-row part of the range
	// as four quarters, tile i taking row i of each, so that each of the
	// kernel's four streams runs through consecutive rows (four adjacent
	// rows of 2 KiB side by side streamed far below the read rate).
	// Two or three such rows take the quarters together (rx4).
	q := (n4 - lo) / 4
	for t := t4; t < T; {
		r := tiles.rx4Rows(T - t)
		for i := 0; i < q; i++ {
			if r == 1 {
				tiles.t1x4(t, lo+i, q, (*[4]float32)(o16[:4]))
			} else {
				tiles.rx4(r, t, lo+i, q, &o16)
			}
			for j := 0; j < r; j++ {
				for c := 0; c < 4; c++ {
					n := lo + c*q + i
					m.dst[(t+j)*N+n] = o16[4*j+c]
					if hasTail {
						m.dst[(t+j)*N+n] += tail(t+j, n)
					}
				}
			}
		}
		t += r
	}
	for n := n4; n < hi; n++ {
		for t := 0; t < T; t++ {
			m.dst[t*N+n] = tiles.t1x1(t, n)
			if hasTail {
				m.dst[t*N+n] += tail(t, n)
			}
		}
	}
}

//go:noescape
func q4Panel1_512(xq *int8, corr *int32, xs *float32, nib *byte, sc *uint16, nb int, out *float32)

//go:noescape
func q4Panel1x4_512(xq *int8, corr *int32, xs *float32, nib *byte, ns int, sc *uint16, ss int, nb int, out *float32, ostride int)

//go:noescape
func q4Panel4_512(xq *int8, corr *int32, xs *float32, k int, nib *byte, sc *uint16, nb int, out *float32, ostride int)

// runQ4 computes rows [lo, hi) of a 4-bit matrix with the VNNI kernels.
func (m *matmulTask) runQ4(_, lo, hi int) {
	runPanels(m, q4Kernels{q4Panel4_512, q4Panel1x4_512, q4Panel1_512}, lo, hi)
}

// runQ4AVX2 computes rows [lo, hi) of a 4-bit matrix with the AVX2
// kernel (q4avx2_amd64.s), bit-identical to the VNNI ones.
func (m *matmulTask) runQ4AVX2(_, lo, hi int) {
	runPanels(m, q4Kernels{nil, nil, q4Panel1AVX2}, lo, hi)
}

// runQ4AVXVNNI computes rows [lo, hi) of a 4-bit matrix with the AVX-VNNI
// kernel (ymm VPDPBUSD), bit-identical to the others.
func (m *matmulTask) runQ4AVXVNNI(_, lo, hi int) {
	runPanels(m, q4Kernels{nil, q4Panel1x4AVXVNNI, q4Panel1AVXVNNI}, lo, hi)
}
