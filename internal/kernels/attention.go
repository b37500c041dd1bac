package kernels

// KVSpan locates the cached keys or values of one sequence for one layer:
// position s lives in Blocks[s/BlockSize] at row s%BlockSize, each row Stride
// floats wide (all kv heads side by side).
type KVSpan struct {
	Blocks    [][]float32
	BlockSize int
	Stride    int
}

func (s *KVSpan) row(pos int) []float32 {
	b := s.Blocks[pos/s.BlockSize]
	r := pos % s.BlockSize
	return b[r*s.Stride : (r+1)*s.Stride]
}

// Attend computes causal attention for the query heads of one kv head:
// q holds nq heads of width d back to back; for each, out = Σ_s softmax(q·k_s·scale)·v_s
// over positions s in [0, n), reading k and v at column offset off of the
// cached rows. scores is scratch of at least n floats. The result for one
// query does not depend on anything but q and the first n cached rows.
func Attend(out, q []float32, nq, d int, keys, vals *KVSpan, off, n int, scale float32, scores []float32) {
	scores = scores[:n]
	for h := 0; h < nq; h++ {
		qh := q[h*d : (h+1)*d]
		for s := 0; s < n; s++ {
			scores[s] = Dot(qh, keys.row(s)[off:off+d]) * scale
		}
		Softmax(scores)
		oh := out[h*d : (h+1)*d]
		clear(oh)
		for s := 0; s < n; s++ {
			Axpy(oh, scores[s], vals.row(s)[off:off+d])
		}
	}
}
