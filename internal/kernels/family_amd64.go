//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

// archFamily builds the table of an x86 family.
func archFamily(impl Impl, fast bool) (family, bool) {
	switch impl {
	case ImplAVX512BF16:
		return avx512bf16Family(fast), true
	case ImplAVX2:
		return avx2Family(), true
	case ImplAVX512:
		return avx512Family(), true
	case ImplAMX:
		return amxFamily(), true
	}
	return family{}, false
}

// avx2Family: AVX2 + FMA element kernels, attention tiles and matmuls,
// Q4_0, the K-quants and Q8_0 in panels on int8 activations (the fast
// tier) by VPMADDUBSW, or VPDPBUSD where the CPU has AVX-VNNI;
// 4-bit affine weights (kept as int8) and the softmax step in Go.
func avx2Family() family { return avx2FamilyWith(cpu.X86.HasAVXVNNI) }

// avx2FamilyWith is the AVX2 family with or without its AVX-VNNI kernels.
func avx2FamilyWith(vnni bool) family {
	f := goFamily()
	f.impl, f.features = ImplAVX2, []string{"AVX2", "FMA"}
	f.roundAct8, f.roundActK, f.roundAct16 = roundAct8AVX2, roundActKAVX2, roundAct16AVX2
	q4 := (*matmulTask).runQ4AVX2
	kq := matKernel{rows: (*matmulTask).runKQuantAVX2, needs: actInt8 | actInt8K}
	// Without VNNI, Q8_0, Q4_K and Q6_K multiply int16 activations
	// (act16.go): fewer instructions than the two int8 planes, and a
	// little more accurate.
	q8 := matKernel{rows: (*matmulTask).runQ8I16AVX2, needs: actInt16}
	q4k := matKernel{rows: (*matmulTask).runKQ4I16AVX2, needs: actInt16}
	q6k := matKernel{rows: (*matmulTask).runKQ6I16AVX2, needs: actInt16}
	f.nativeKQuant, f.nativeQ8Panels, f.act16 = true, true, !vnni
	if vnni {
		f.features = append(f.features, "AVX-VNNI")
		q4 = (*matmulTask).runQ4AVXVNNI
		kq.rows = (*matmulTask).runKQuantAVXVNNI
		q8, q4k, q6k = kq, kq, kq
	}
	vectorElems(&f, 8, elems256())
	attnAVX2(&f)
	useF16C(&f)
	f.swiglu = swigluAVX2
	f.readSum = readSumAVX2
	f.prefetch = prefetchAMD64
	f.bf16 = avx2BF16()
	f.peakLoop = avx2Peak
	f.nativeQ4 = true
	f.matKernel = func(w *Mat) matKernel {
		switch w.Format() {
		case FormatF32:
			return matKernel{rows: (*matmulTask).rowsF32AVX2}
		case FormatF16:
			return matKernel{rows: (*matmulTask).rowsF16AVX2}
		case FormatQ4:
			return matKernel{rows: q4, needs: actInt8}
		case FormatQ4Affine:
			return goMatKernel(w)
		case FormatQ5K:
			return kq
		case FormatQ4K:
			return q4k
		case FormatQ6K:
			return q6k
		case FormatQ8Panels:
			return q8
		case FormatInt8, FormatInt8Affine:
			return matKernel{rows: (*matmulTask).runAVX2Q8, needs: actDeinterleaved}
		}
		return matKernel{rows: (*matmulTask).runBF16Tiles, grain: bf16TileGrain}
	}
	return f
}

// avx512Family: AVX-512F element, attention and matmul kernels; 4-bit
// weights on VPDPBUSD where the CPU has AVX512_VNNI.
func avx512Family() family {
	f := goFamily()
	f.impl, f.features = ImplAVX512, []string{"AVX-512F", "AVX-512VL"}
	vectorElems(&f, 16, elems512())
	f.readSum = readSumAVX512
	f.peakLoop = avx512Peak
	f.prefetch = prefetchAMD64
	f.roundAct8 = roundAct8AVX512
	f.roundActK = roundActKAVX512
	f.swiglu = swigluAVX512
	attnAVX512(&f)
	useF16C(&f)
	f.nativeQ4 = cpu.X86.HasAVX512VNNI
	f.nativeQ4Affine = true
	f.nativeKQuant = f.nativeQ4
	f.nativeQ8Panels = f.nativeQ4
	if f.nativeQ4 {
		f.features = append(f.features, "AVX512_VNNI")
	}
	f.matKernel = func(w *Mat) matKernel { return avx512MatKernel(w, f.nativeQ4) }
	return f
}

// avx512MatKernel is the AVX-512 kernel of each weight format.
func avx512MatKernel(w *Mat, vnni bool) matKernel {
	switch w.Format() {
	case FormatF32:
		return matKernel{rows: (*matmulTask).rowsF32AVX2}
	case FormatF16:
		return matKernel{rows: (*matmulTask).rowsF16AVX512}
	case FormatQ4Affine:
		return matKernel{rows: (*matmulTask).runQ4Affine, needs: actDeinterleaved}
	case FormatQ4:
		if vnni {
			return matKernel{rows: (*matmulTask).runQ4, needs: actInt8}
		}
		return goMatKernel(w)
	case FormatQ4K, FormatQ5K, FormatQ6K, FormatQ8Panels:
		if vnni {
			return matKernel{rows: (*matmulTask).runKQuant512, needs: actInt8 | actInt8K}
		}
		return goMatKernel(w)
	}
	return matKernel{rows: (*matmulTask).run512, needs: actDeinterleaved}
}

// amxFamily is the AVX-512 family with bf16 matmuls on the AMX tile unit
// (AMX-BF16), wherever a matrix's width is a whole number of tile steps.
func amxFamily() family {
	f := avx512Family()
	f.impl, f.amx = ImplAMX, true
	f.features = append(f.features, "AMX-BF16")
	f.peakLoop = amxPeak
	vnni := f.nativeQ4
	f.matKernel = func(w *Mat) matKernel {
		if !amxCovers(w) {
			return avx512MatKernel(w, vnni)
		}
		k := matKernel{rows: (*matmulTask).runAMX, needs: actAMX}
		if w.Rows%amxRows != 0 {
			k.needs |= actDeinterleaved // the rows past the last group go to AVX-512
		}
		return k
	}
	return f
}

// rowsF32AVX2 computes rows of an f32 matrix with the AVX2 dot.
func (m *matmulTask) rowsF32AVX2(_, lo, hi int) { m.rowsF32(lo, hi, dotF32) }

// rowsF16AVX2 computes rows of an f16 matrix on AVX2 + F16C, the weights
// read as they are stored, every output dotF32's arithmetic on the widened
// weights (the kernels' two accumulators and reduction, the tail past the
// last 16 added in Go as dotF32 adds it): bit for bit what the f32 kernels
// give, whichever tile computes it. On a CPU without F16C, rowsF16.
func (m *matmulTask) rowsF16AVX2(worker, lo, hi int) {
	if !hasAVX2 || !cpu.X86.HasF16C || m.w.Cols < 16 {
		m.rowsF16(worker, lo, hi, dotF32)
		return
	}
	if m.T < 3 {
		m.f16Quarters(worker, lo, hi)
		return
	}
	m.f16Tiles(worker, lo, hi, f16Tile{3, 2, f16Dot3x2AVX2})
}

// rowsF16AVX512 is rowsF16AVX2 with AVX-512's 4×4 tile for prefill: one
// zmm register an output, its halves what dotF32AVX2's two accumulators
// hold, so the outputs are the same bit for bit.
func (m *matmulTask) rowsF16AVX512(worker, lo, hi int) {
	if m.T < 4 || m.w.Cols < 16 {
		m.rowsF16AVX2(worker, lo, hi)
		return
	}
	m.f16Tiles(worker, lo, hi, f16Tile{4, 4, f16Dot4x4_512})
}

// f16Tile is a kernel of acts activation rows against rows weight rows
// (out[rows·r + c]; strides in elements, n a multiple of 16).
type f16Tile struct {
	acts, rows int
	kernel     func(x *float32, xs int, w *uint16, ws int, n int, out *float32)
}

// f16Quarters (decode) computes rows four at a time with f16Dot1x4AVX2,
// rows a quarter of the range apart, so that each of the kernel's four
// streams runs through consecutive rows (four adjacent 2 KiB rows are four
// streams too short for the prefetchers: 8 GB/s against 17 on one Zen 4
// core, bf16's 18). The rows past the last four quarters go to rowsF16.
func (m *matmulTask) f16Quarters(worker, lo, hi int) {
	K, N := m.w.Cols, m.w.Rows
	k16, q := K&^15, (hi-lo)/4
	var tails [4][15]float32 // the rows' last K−k16 weights, widened
	for n := lo; n < lo+q; n++ {
		w := m.w.F16[n*K:]
		for r := range 4 {
			if k16 < K {
				f16ToF32Go(tails[r][:K-k16], w[r*q*K+k16:r*q*K+K])
			}
		}
		for t := 0; t < m.T; t++ {
			x := m.xRow(t)
			var out [4]float32
			f16Dot1x4AVX2(&x[0], &w[0], q*K, k16, &out[0])
			for r, s := range out {
				if k16 < K {
					s += dotGo(x[k16:], tails[r][:K-k16])
				}
				m.dst[t*N+n+r*q] = s
			}
		}
	}
	m.rowsF16(worker, lo+4*q, hi, dotF32)
}

// f16Tiles (prefill, batches) computes tiles of tl.acts activation rows
// against tl.rows weight rows, f16ActRows activation rows a pass so that
// they stay in L2 while the chunk's weight rows pass under them; a pass's
// last rows (fewer than a tile's) against the weight rows widened into the
// worker's scratch, and the last weight rows (fewer than a tile's) by
// rowsF16's loop. Every output is dotF32's arithmetic on the widened
// weights, with its tail past the last 16 added in Go.
func (m *matmulTask) f16Tiles(worker, lo, hi int, tl f16Tile) {
	K, N := m.w.Cols, m.w.Rows
	k16 := K &^ 15
	var tails [4][15]float32
	out := &m.f16out
	whole := lo + (hi-lo)/tl.rows*tl.rows
	for t0 := 0; t0 < m.T; t0 += f16ActRows {
		t1 := min(m.T, t0+f16ActRows)
		for n := lo; n < whole; n += tl.rows {
			w := m.w.F16[n*K : (n+tl.rows)*K]
			for c := range tl.rows {
				if k16 < K {
					f16ToF32Go(tails[c][:K-k16], w[c*K+k16:(c+1)*K])
				}
			}
			t := t0
			for ; t+tl.acts <= t1; t += tl.acts {
				tl.kernel(&m.x[t*K], K, &w[0], K, k16, &out[0])
				for r := range tl.acts {
					dst := m.dst[(t+r)*N+n : (t+r)*N+n+tl.rows]
					copy(dst, out[r*tl.rows:])
					if k16 < K {
						for c := range dst {
							dst[c] += dotGo(m.x[(t+r)*K+k16:(t+r+1)*K], tails[c][:K-k16])
						}
					}
				}
			}
			if t < t1 {
				wide := m.scratch[worker][:tl.rows*K]
				m.toF32(wide, w)
				for ; t < t1; t++ {
					for c := range tl.rows {
						m.dst[t*N+n+c] = dotF32(m.xRow(t), wide[c*K:(c+1)*K])
					}
				}
			}
		}
	}
	m.rowsF16(worker, whole, hi, dotF32)
}

//go:noescape
func readSum512(p *uint64, n int) uint64

//go:noescape
func readSum256(p *uint64, n int) uint64

//go:noescape
func prefetchRows(p *float32, stride, rows, lines int)

// prefetchAMD64 asks for rows rows of width floats, stride floats apart
// (see family.prefetch), into L2 (prefetchRows says why).
func prefetchAMD64(x []float32, stride, rows, width int) {
	if rows <= 0 || width <= 0 {
		return
	}
	_ = x[(rows-1)*stride+width-1]
	prefetchRows(&x[0], stride, rows, (width*4+63)/64)
}

// readSumAVX512 is readSumGo with AVX-512 over the whole 32-word groups.
func readSumAVX512(buf []uint64) uint64 {
	n := len(buf) &^ 31
	var s uint64
	if n > 0 {
		s = readSum512(&buf[0], n)
	}
	return s + readSumGo(buf[n:])
}

// readSumAVX2 is readSumGo with AVX2 over the whole 16-word groups.
func readSumAVX2(buf []uint64) uint64 {
	n := len(buf) &^ 15
	var s uint64
	if n > 0 {
		s = readSum256(&buf[0], n)
	}
	return s + readSumGo(buf[n:])
}
