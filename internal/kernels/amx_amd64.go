//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

//go:noescape
func amxScatter512(dst *float32, n int, out *float32, groups int, nt int)

//go:noescape
func packAMX512(dst *uint64, x *float32, steps int)

//go:noescape
func amxBF16x2(cfg *byte, w *uint16, wstride int, tiles int, b0, b1 *uint64, ksteps int, out0, out1 *float32, pairs bool)

//go:noescape
func amxBF16(cfg *byte, w *uint16, wstride int, tiles int, b *uint64, ksteps int, out *float32)

// amxUsable reports whether this CPU has AMX-BF16 and the kernel lets this
// process use it. Asking again is harmless, so nothing is remembered.
func amxUsable() bool {
	if !cpu.X86.HasAMXTile || !cpu.X86.HasAMXBF16 || !cpu.X86.HasAVX512F || !cpu.X86.HasAVX512VL ||
		!cpu.X86.HasAVX512BW || !cpu.X86.HasAVX512DQ {
		return false
	}
	return amxPermitted()
}

// amxTileConfig is the LDTILECFG block: palette 1, all eight tiles 16 rows
// of 64 bytes (16 f32 accumulators, or 16 pairs of bf16, a row).
func amxTileConfig() (cfg [64]byte) {
	cfg[0] = 1
	for i := 0; i < 8; i++ {
		cfg[16+2*i] = 64
		cfg[48+i] = amxRows
	}
	return cfg
}

// runAMX is MatMul with the AMX family over weight rows [lo, hi) of a bf16
// matrix whose width is a multiple of 32 (see amxCovers). Each 16-row group
// of weights meets each 8-row block of packed activations in one tile
// product; an output is its row's high column plus its low column. Weight
// rows past the last whole group go to the AVX-512 tiles.
func (m *matmulTask) runAMX(worker, lo, hi int) {
	w, K, T := m.w, m.w.Cols, m.T
	ksteps := K / 32
	blockLen := ksteps * amxStep / 4 // qwords of one packed activation block
	end := lo + (hi-lo)/amxRows*amxRows
	// Weight groups in pairs only where activations fill more than two
	// blocks (prefill): up to 16 rows (batched decode) the weights stream
	// from memory and one group at a time streams faster.
	pairs := T > 2*amxBlock
	// A range longer than rowBlock (a call run on one goroutine) goes in
	// rowBlock pieces, the size of the output tiles.
	for c := lo; c < end; c += rowBlock {
		rows := min(rowBlock, end-c)
		out := m.amxOut[worker][:rows*amxRows]
		out1 := m.amxOut[worker][rows*amxRows : 2*rows*amxRows]
		groups := rows / amxRows
		for tb := 0; tb*amxBlock < T; {
			b := &m.xa[tb*blockLen]
			if (tb+2)*amxBlock <= T {
				// Two whole blocks: one pass over the weights for both.
				amxBF16x2(&m.amxCfg[0], &w.BF16[c*K], 2*K, groups, b, &m.xa[(tb+1)*blockLen], ksteps, &out[0], &out1[0], pairs)
				m.scatterAMX(out, tb, c, rows)
				m.scatterAMX(out1, tb+1, c, rows)
				tb += 2
				continue
			}
			amxBF16(&m.amxCfg[0], &w.BF16[c*K], 2*K, groups, b, ksteps, &out[0])
			m.scatterAMX(out, tb, c, rows)
			tb++
		}
	}
	if end < hi {
		m.run512(worker, end, hi)
	}
}

// scatterAMX writes activation block tb's outputs (high plus low column of
// output tiles for weight rows [c, c+rows)) into dst.
func (m *matmulTask) scatterAMX(out []float32, tb, c, rows int) {
	t0 := tb * amxBlock
	amxScatter512(&m.dst[t0*m.w.Rows+c], m.w.Rows, &out[0], rows/amxRows, min(m.T-t0, amxBlock))
}

// packAMXFast is packAMX with the rounding and interleaving in AVX-512,
// row by row over each block's run of tiles.
func packAMXFast(dst []uint64, x []float32, T, K, u0, u1 int) {
	ksteps := K / 32
	const tileQwords = amxStep / 4
	for u := u0; u < u1; {
		b, s0 := u/ksteps, u%ksteps
		s1 := min(ksteps, s0+u1-u)
		for r := 0; r < amxBlock; r++ {
			t := b*amxBlock + r
			if t < T {
				packAMX512(&dst[u*tileQwords+r], &x[t*K+s0*32], s1-s0)
				continue
			}
			clearAMXRow(dst, u, u+s1-s0, r)
		}
		u += s1 - s0
	}
}
