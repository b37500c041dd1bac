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
	f.roundAct8, f.roundActK = roundAct8AVX2, roundActKAVX2
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
		return matKernel{rows: (*matmulTask).runBF16Tiles}
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
		return matKernel{rows: (*matmulTask).rowsF16AVX2}
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

// rowsF16AVX2 computes rows of an f16 matrix four at a time with
// f16Dot1x4AVX2 (dotF32's arithmetic on the widened weights, the tail past
// the last 16 added in Go as dotF32 adds it), the weights read as they are
// stored: rows a quarter of the range apart, so that each of the kernel's
// four streams runs through consecutive rows (four adjacent 2 KiB rows are
// four streams too short for the prefetchers: 8 GB/s against 20 on one
// Zen 4 core). The rows past the last four quarters, or all of them on a
// CPU without F16C, go to rowsF16.
func (m *matmulTask) rowsF16AVX2(worker, lo, hi int) {
	K, N := m.w.Cols, m.w.Rows
	if !hasAVX2 || !cpu.X86.HasF16C || K < 16 {
		m.rowsF16(worker, lo, hi, dotF32)
		return
	}
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
