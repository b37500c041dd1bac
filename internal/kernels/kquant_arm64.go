//go:build arm64 && !purego

package kernels

// The K-quant and Q8_0 panel kernels on SDOT (kquant_arm64.s): one
// activation row against one panel.

//go:noescape
func kq4PanelSDOT(xq, xl *int8, kf *float32, ki *int32, panel *byte, nsb int, out *float32)

//go:noescape
func kq5PanelSDOT(xq, xl *int8, kf *float32, ki *int32, panel *byte, nsb int, out *float32)

//go:noescape
func kq6PanelSDOT(xq, xl *int8, kf *float32, ki *int32, panel *byte, nsb int, out *float32)

//go:noescape
func kq8PanelSDOT(xq, xl *int8, kf *float32, ki *int32, panel *byte, nsb int, out *float32)

// kqSDOT is the SDOT kernels of the panel format f.
func kqSDOT(f Format) kqKernels {
	switch f {
	case FormatQ4K:
		return kqKernels{t1: kq4PanelSDOT}
	case FormatQ5K:
		return kqKernels{t1: kq5PanelSDOT}
	case FormatQ6K:
		return kqKernels{t1: kq6PanelSDOT}
	case FormatQ8Panels:
		return kqKernels{t1: kq8PanelSDOT}
	}
	panic("kernels: no SDOT kernels for " + f.String())
}

// runKQuantSDOT computes rows [lo, hi) of a K-quant or Q8_0 panel matrix
// with the SDOT kernels.
func (m *matmulTask) runKQuantSDOT(_, lo, hi int) {
	runPanels(m, kqSDOT(m.w.PanelFormat), lo, hi)
}
