//go:build amd64 && !purego

package kernels

//go:noescape
func q4aDot1x1(x *float32, nib *byte, a *float32, k int, signed bool) float32

//go:noescape
func q4aDot1x4(x *float32, nib *byte, ns int, a *float32, as int, k int, out *float32, os int, signed bool)

//go:noescape
func q4aDot4x4(x *float32, xs int, nib *byte, ns int, a *float32, as int, k int, out *float32, os int, signed bool)

// runQ4Affine is MatMul with the AVX-512 kernels over weight rows [lo, hi)
// of a 4-bit affine matrix, on the deinterleaved activations: 4×4 tiles
// while four activation rows remain (in eachTile's order), then one
// activation row against four weight rows with the range walked in
// quarters (decode), and one against one. Every kernel gives an output the
// same arithmetic.
func (m *matmulTask) runQ4Affine(_, lo, hi int) {
	w := m.w
	K, N, T := w.Cols, w.Rows, m.T
	apr := K / Q8Block * Q4AffineFloats // block floats a row
	nib := func(n int) *byte { return &w.Q4[n*K/2] }
	aff := func(n int) *float32 { return &w.Affine[n*apr] }
	n4, t4 := lo+(hi-lo)&^3, T&^3
	tile := func(t, n int) {
		q4aDot4x4(&m.xp[t*K], K, nib(n), K/2, aff(n), apr, K, &m.dst[t*N+n], N, w.Q4Signed)
	}
	eachTile(T, K, lo, hi, 4, tile)
	q := (n4 - lo) / 4
	for t := t4; t < T; t++ {
		for i := 0; i < q; i++ {
			n := lo + i
			q4aDot1x4(&m.xp[t*K], nib(n), q*K/2, aff(n), q*apr, K, &m.dst[t*N+n], q, w.Q4Signed)
		}
	}
	for n := n4; n < hi; n++ {
		for t := 0; t < T; t++ {
			m.dst[t*N+n] = q4aDot1x1(&m.xp[t*K], nib(n), aff(n), K, w.Q4Signed)
		}
	}
}
