//go:build !purego

package kernels

// The AVX512_VNNI K-quant kernels (kquant_amd64.s), one set per format.

//go:noescape
func kq4Panel1_512(xq, xl *int8, kf *float32, ki *int32, panel *byte, nsb int, out *float32)

//go:noescape
func kq4Panel4_512(xq, xl *int8, kf *float32, ki *int32, k int, panel *byte, nsb int, out *float32, ostride int)

//go:noescape
func kq4Panel1x4_512(xq, xl *int8, kf *float32, ki *int32, panel *byte, ps int, nsb int, out *float32, ostride int)

//go:noescape
func kq5Panel1_512(xq, xl *int8, kf *float32, ki *int32, panel *byte, nsb int, out *float32)

//go:noescape
func kq5Panel4_512(xq, xl *int8, kf *float32, ki *int32, k int, panel *byte, nsb int, out *float32, ostride int)

//go:noescape
func kq5Panel1x4_512(xq, xl *int8, kf *float32, ki *int32, panel *byte, ps int, nsb int, out *float32, ostride int)

//go:noescape
func kq6Panel1_512(xq, xl *int8, kf *float32, ki *int32, panel *byte, nsb int, out *float32)

//go:noescape
func kq6Panel4_512(xq, xl *int8, kf *float32, ki *int32, k int, panel *byte, nsb int, out *float32, ostride int)

//go:noescape
func kq6Panel1x4_512(xq, xl *int8, kf *float32, ki *int32, panel *byte, ps int, nsb int, out *float32, ostride int)

//go:noescape
func kq8Panel1_512(xq, xl *int8, kf *float32, ki *int32, panel *byte, nsb int, out *float32)

//go:noescape
func kq8Panel4_512(xq, xl *int8, kf *float32, ki *int32, k int, panel *byte, nsb int, out *float32, ostride int)

//go:noescape
func kq8Panel1x4_512(xq, xl *int8, kf *float32, ki *int32, panel *byte, ps int, nsb int, out *float32, ostride int)

// kq512 is the AVX512_VNNI kernels of the panel format f (K-quants, Q8_0).
func kq512(f Format) kqKernels {
	switch f {
	case FormatQ4K:
		return kqKernels{t4: kq4Panel4_512, t1x4: kq4Panel1x4_512, t1: kq4Panel1_512}
	case FormatQ5K:
		return kqKernels{t4: kq5Panel4_512, t1x4: kq5Panel1x4_512, t1: kq5Panel1_512}
	case FormatQ6K:
		return kqKernels{t4: kq6Panel4_512, t1x4: kq6Panel1x4_512, t1: kq6Panel1_512}
	case FormatQ8Panels:
		return kqKernels{t4: kq8Panel4_512, t1x4: kq8Panel1x4_512, t1: kq8Panel1_512}
	}
	panic("kernels: no AVX-512 kernels for " + f.String())
}

// runKQuant512 computes rows [lo, hi) of a K-quant matrix with the
// AVX512_VNNI kernels.
func (m *matmulTask) runKQuant512(_, lo, hi int) {
	runPanels(m, kq512(m.w.PanelFormat), lo, hi)
}

// The AVX2 panel kernels (kquantavx2_amd64.s), with AVX-VNNI and without:
// one activation row against a panel in cache, in two passes of eight
// rows, or (Stream) against a panel from memory, alternating the halves
// super-block by super-block.

//go:noescape
func kq4PanelAVXVNNI(xq, xl *int8, kf *float32, ki *int32, panel *byte, nsb int, out *float32)

//go:noescape
func kq5PanelAVXVNNI(xq, xl *int8, kf *float32, ki *int32, panel *byte, nsb int, out *float32)

//go:noescape
func kq6PanelAVXVNNI(xq, xl *int8, kf *float32, ki *int32, panel *byte, nsb int, out *float32)

//go:noescape
func kq8PanelAVXVNNI(xq, xl *int8, kf *float32, ki *int32, panel *byte, nsb int, out *float32)

//go:noescape
func kq5PanelAVX2(xq, xl *int8, kf *float32, ki *int32, panel *byte, nsb int, out *float32)

//go:noescape
func kq4StreamAVXVNNI(xq, xl *int8, kf *float32, ki *int32, panel *byte, nsb int, out *float32)

//go:noescape
func kq5StreamAVXVNNI(xq, xl *int8, kf *float32, ki *int32, panel *byte, nsb int, out *float32)

//go:noescape
func kq6StreamAVXVNNI(xq, xl *int8, kf *float32, ki *int32, panel *byte, nsb int, out *float32)

//go:noescape
func kq8StreamAVXVNNI(xq, xl *int8, kf *float32, ki *int32, panel *byte, nsb int, out *float32)

//go:noescape
func kq5StreamAVX2(xq, xl *int8, kf *float32, ki *int32, panel *byte, nsb int, out *float32)

// kqAVX2 is the AVX2 (VPMADDUBSW) kernels of the K-quant format f: Q5_K,
// the one panel format left on two int8 planes without VNNI (Q4_K, Q6_K
// and Q8_0 multiply int16 activations there: act16_amd64.go).
func kqAVX2(f Format) kqKernels {
	switch f {
	case FormatQ5K:
		return kqKernels{t1: kq5PanelAVX2, t1cold: kq5StreamAVX2}
	}
	panic("kernels: no AVX2 kernels for " + f.String())
}

// runKQuantAVX2 computes rows [lo, hi) of a K-quant matrix with the AVX2
// kernels.
func (m *matmulTask) runKQuantAVX2(_, lo, hi int) {
	runPanels(m, kqAVX2(m.w.PanelFormat), lo, hi)
}

// kqAVXVNNI is the AVX-VNNI kernels of the panel format f.
func kqAVXVNNI(f Format) kqKernels {
	switch f {
	case FormatQ4K:
		return kqKernels{t1: kq4PanelAVXVNNI, t1cold: kq4StreamAVXVNNI}
	case FormatQ5K:
		return kqKernels{t1: kq5PanelAVXVNNI, t1cold: kq5StreamAVXVNNI}
	case FormatQ6K:
		return kqKernels{t1: kq6PanelAVXVNNI, t1cold: kq6StreamAVXVNNI}
	case FormatQ8Panels:
		return kqKernels{t1: kq8PanelAVXVNNI, t1cold: kq8StreamAVXVNNI}
	}
	panic("kernels: no AVX-VNNI kernels for " + f.String())
}

// runKQuantAVXVNNI computes rows [lo, hi) of a panel matrix with the
// AVX-VNNI kernels.
func (m *matmulTask) runKQuantAVXVNNI(_, lo, hi int) {
	runPanels(m, kqAVXVNNI(m.w.PanelFormat), lo, hi)
}
