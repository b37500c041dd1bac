package kernels

import "strings"

// family is one kernel family as a table: the functions every op of the
// package runs, chosen once when a Pool starts (see familyOf). No op asks
// which family it is in; a new family is a new table, built in one place.
//
// Every element-wise function is bit-identical to its Go specification
// (ops.go); matmul kernels differ between families by float rounding only,
// and within a family give a dot the same arithmetic whatever tile
// computes it (batch invariance).
type family struct {
	impl     Impl
	features []string // the CPU features its kernels use
	// nativeQ4: 4-bit weights run on integer dot-product kernels here; in
	// families without them they would run in Go, slower than int8.
	nativeQ4 bool
	// nativeQ4Affine: 4-bit affine weights run on vector kernels here;
	// elsewhere they would run in Go, slower than affine int8.
	nativeQ4Affine bool
	// nativeKQuant: K-quant weights (Q4_K, Q5_K, Q6_K) run as in the file on
	// integer dot-product kernels here, in the fast tier.
	nativeKQuant bool
	// nativeQ8Panels: Q8_0 weights run as in the file on integer
	// dot-product kernels here, in the fast tier (q8panels.go).
	nativeQ8Panels bool
	// act16: the Q8_0, Q4_K and Q6_K kernels take int16 activations (act16.go),
	// not the two int8 planes.
	act16 bool
	// amx: bf16 matmuls on the AMX tile unit; the pool keeps the tile
	// configuration and per-worker output tiles.
	amx bool
	// fast: bf16 matmuls round the activations once to bf16 (the fast
	// tier); otherwise they keep them to within 2⁻¹⁸ or exactly (exact).
	fast bool
	// fastAsked: the pool was asked for the fast tier (which the family
	// may or may not have for each weight format; see describe).
	fastAsked bool

	sumSquares8 func(x []float32) (s [8]float64, n int) // see sumSquares8Go
	scaleMul    func(dst, x, w []float32, inv float32)
	mul         func(dst, a, b []float32)
	mulAdd      func(dst, a, b []float32)
	add         func(dst, src []float32)
	rope        func(lo, hi, cos, sin []float32)
	swiglu      func(dst, gate, up []float32)
	attnScores  func(s, qt, k []float32, d, kstride int)
	attnSoftmax func(s, m, l, mult []float32, masks *[lanes]uint16)
	attnAccum   func(ot, pr, v, mult []float32, d, vstride int)
	// attnSoftmaxNarrow, attnNarrow (optional, both or none): the tiles
	// for decode's few queries, bit-identical to the 16-lane ones in
	// their lanes (see narrowTiles; the softmax step computes at least
	// lanes 0–3 as attnSoftmax does), fewest queries first.
	attnSoftmaxNarrow func(s, m, l, mult []float32, masks *[lanes]uint16)
	attnNarrow        []narrowTiles
	readSum           func(buf []uint64) uint64 // see StreamRead
	// peakLoop (optional): the instruction that bounds the matrix
	// products of a weight format, in a loop (see MatMulPeak).
	peakLoop func(Format) (multiplyAddLoop, bool)
	// prefetch asks the cache for rows rows of width floats of x, stride
	// floats apart, ahead of their use (a no-op where it has no kernel).
	prefetch func(x []float32, stride, rows, width int)
	// toF16, toF32: an f16 KV cache's row stored and read (kvhalf.go).
	toF16     func(dst []uint16, src []float32)                                                 // see f32ToF16Go
	toF32     func(dst []float32, src []uint16)                                                 // see f16ToF32Go
	widenRows func(dst []float32, src []uint16, stride, rows, d int)                            // see widenRowsGo
	roundAct8 func(x []float32, q []int8, corr []int32, scale []float32)                        // see roundAct8Go
	roundActK func(x []float32, q []int8, scale []float32, kq []int8, kf []float32, ki []int32) // see roundActKGo
	// roundAct16: see roundAct16Go.
	roundAct16 func(x []float32, q []int16, hi []int8, lo []uint8, scale []float32, corr []int32, sum []float32, off16 []int32)

	// bf16: the f32-FMA tiles for bf16 weights, in families that use
	// them (see runBF16Tiles).
	bf16 bf16Tiles

	// matKernel picks the kernel that computes a weight matrix's rows.
	matKernel func(w *Mat) matKernel
}

// narrowTiles are a family's score and accumulation tiles for a block
// of at most queries queries (see attnScoresNarrowGo, attnAccumNarrowGo),
// for head sizes that are a multiple of 32; scoresF16 and accumF16
// (optional, both or none) read an f16 cache's keys and values where they
// lie, bit-identical to scores and accum on the widened rows (which is
// what the families without them compute).
type narrowTiles struct {
	queries   int
	scores    func(s, qt, k []float32, d, kstride int)
	accum     func(ot, pr, v, mult []float32, d, vstride int)
	scoresF16 func(s, qt []float32, k []uint16, d, kstride int)
	accumF16  func(ot, pr []float32, v []uint16, mult []float32, d, vstride int)
}

// matKernel computes rows [lo, hi) of the matrix m.w into m.dst, reading
// the forms of the activations that needs names (MatMuls prepares them
// once per call for all the call's matrices).
type matKernel struct {
	rows  func(m *matmulTask, worker, lo, hi int)
	needs actForms
	// grain (optional) is the weight rows of a work chunk when the T
	// activation rows of width K do not stay in cache (prefill); rowBlock
	// where nil. A multiple of 16: it never changes a result.
	grain func(T, K int) int
}

// actForms is a set of activation layouts besides plain f32 rows.
type actForms uint8

const (
	actDeinterleaved actForms = 1 << iota // m.xp: per 32 floats, even then odd (AVX-512, AVX2 int8)
	actAMX                                // m.xa: hi/lo bf16 tiles (packAMX)
	actInt8                               // m.act: int8 per 32 (the 4-bit kernels)
	actInt8K                              // m.act: int8 per 32 and the K-quant kernels' sums (with actInt8)
	actPairs                              // m.xb: bf16 pairs, high and low halves (packPairs)
	actPairsHigh                          // m.xb: bf16 pairs, high halves only (fast tier)
	actInt16                              // m.act16: int16 per 32 (Q8_0, Q4_K, Q6_K on AVX2 without AVX-VNNI)
)

// describe names the family, the CPU features it uses and its tier.
func (f *family) describe() string {
	tier := "exact"
	if f.fastAsked {
		var rounded []string
		if f.nativeQ4 {
			rounded = append(rounded, "int8 activations for Q4_0")
		}
		var planes []string
		switch {
		case f.act16:
			rounded = append(rounded, "int16 activations for Q8_0, Q4_K, Q6_K")
			planes = append(planes, "Q5_K")
		default:
			if f.nativeQ8Panels {
				planes = append(planes, "Q8_0")
			}
			if f.nativeKQuant {
				planes = append(planes, "Q4_K", "Q5_K", "Q6_K")
			}
		}
		if len(planes) > 0 {
			rounded = append(rounded, "two int8 planes for "+strings.Join(planes, ", "))
		}
		if f.fast {
			rounded = append(rounded, "bf16 activations for bf16")
		}
		tier = "fast: " + strings.Join(rounded, ", ")
		if len(rounded) == 0 {
			tier = "exact: no fast kernels in this family"
		}
	}
	return string(f.impl) + " (" + strings.Join(f.features, ", ") + "; " + tier + ")"
}

// familyOf builds the table of a family this build can run, in the fast
// tier if asked and the family has one.
func familyOf(impl Impl, fast bool) family {
	f := goFamily()
	if impl != ImplGo {
		if af, ok := archFamily(impl, fast); ok {
			f = af
		}
	}
	f.fastAsked = fast
	return f
}

// goFamily is the specification: plain Go on any CPU.
func goFamily() family {
	return family{
		impl:        ImplGo,
		features:    []string{"none: pure Go"},
		sumSquares8: sumSquares8Go,
		scaleMul:    scaleMulGo,
		mul:         mulGo,
		mulAdd:      mulAddGo,
		add:         addGo,
		rope:        ropeGo,
		swiglu:      SwiGLU,
		attnScores:  attnScoresGo,
		attnSoftmax: attnSoftmaxGo,
		attnAccum:   attnAccumGo,
		readSum:     readSumGo,
		prefetch:    func([]float32, int, int, int) {},
		roundAct8:   roundAct8Go,
		roundActK:   roundActKGo,
		roundAct16:  roundAct16Go,
		toF16:       f32ToF16Go,
		toF32:       f16ToF32Go,
		widenRows:   widenRowsGo,
		matKernel:   goMatKernel,
	}
}

// goMatKernel is the Go kernel of each weight format.
func goMatKernel(w *Mat) matKernel {
	switch w.Format() {
	case FormatF32:
		return matKernel{rows: (*matmulTask).rowsF32Go}
	case FormatF16:
		return matKernel{rows: (*matmulTask).rowsF16Go}
	case FormatQ4Affine:
		return matKernel{rows: (*matmulTask).rowsQ4AffineGo}
	case FormatQ4:
		return matKernel{rows: (*matmulTask).rowsQ4Go, needs: actInt8}
	case FormatQ4K, FormatQ5K, FormatQ6K:
		return matKernel{rows: (*matmulTask).rowsKQuantGo, needs: actInt8 | actInt8K}
	case FormatQ8Panels:
		return matKernel{rows: (*matmulTask).rowsQ8PanelsGo, needs: actInt8 | actInt8K}
	case FormatInt8Affine:
		return matKernel{rows: (*matmulTask).rowsAffineGo}
	case FormatInt8:
		return matKernel{rows: (*matmulTask).rowsQ8Go}
	}
	return matKernel{rows: (*matmulTask).rowsBF16Go}
}

// rowsEach computes rows [lo, hi) of m.w into m.dst, output (t, n) being
// dot(t, n): the loops of the Go kernels below.
func (m *matmulTask) rowsEach(lo, hi int, dot func(t, n int) float32) {
	N := m.w.Rows
	for n := lo; n < hi; n++ {
		for t := 0; t < m.T; t++ {
			m.dst[t*N+n] = dot(t, n)
		}
	}
}

// xRow is activation row t.
func (m *matmulTask) xRow(t int) []float32 { return m.x[t*m.w.Cols : (t+1)*m.w.Cols] }

// rowsF32Go computes rows of an f32 matrix with the Go dot.
func (m *matmulTask) rowsF32Go(_, lo, hi int) { m.rowsF32(lo, hi, dotGo) }

// rowsF32 computes rows of an f32 matrix with the dot given.
func (m *matmulTask) rowsF32(lo, hi int, dot func(a, b []float32) float32) {
	K := m.w.Cols
	m.rowsEach(lo, hi, func(t, n int) float32 { return dot(m.xRow(t), m.w.F32[n*K:(n+1)*K]) })
}

// rowsF16Go computes rows of an f16 matrix with the Go dot.
func (m *matmulTask) rowsF16Go(worker, lo, hi int) { m.rowsF16(worker, lo, hi, dotGo) }

// rowsF16 computes rows of an f16 matrix: each weight row is widened to
// float32 (exactly, by the family's toF32) into the worker's scratch once
// and dotted with every activation row by the family's f32 dot, so every
// output equals the f32 kernels' on the widened weights, bit for bit, while
// the weights stay 2 bytes each in memory and in what a step reads.
// Activation rows are taken f16ActRows a pass, so that they stay in L2
// while the weight rows pass under them.
func (m *matmulTask) rowsF16(worker, lo, hi int, dot func(a, b []float32) float32) {
	K, N := m.w.Cols, m.w.Rows
	row := m.scratch[worker][:K]
	for t0 := 0; t0 < m.T; t0 += f16ActRows {
		for n := lo; n < hi; n++ {
			m.toF32(row, m.w.F16[n*K:(n+1)*K])
			for t := t0; t < min(m.T, t0+f16ActRows); t++ {
				m.dst[t*N+n] = dot(m.xRow(t), row)
			}
		}
	}
}

// f16ActRows is how many activation rows the f16 kernels take a pass:
// 192 KiB of them at K = 1024, in L2 with the chunk's weight rows.
const f16ActRows = 48

// rowsBF16Go computes rows of a bf16 matrix with the Go dot.
func (m *matmulTask) rowsBF16Go(_, lo, hi int) {
	K := m.w.Cols
	m.rowsEach(lo, hi, func(t, n int) float32 { return dotBF16Go(m.xRow(t), m.w.BF16[n*K:(n+1)*K]) })
}

// rowsQ8Go computes rows of an int8 matrix with the Go dot.
func (m *matmulTask) rowsQ8Go(_, lo, hi int) {
	K, spr := m.w.Cols, m.w.Cols/Q8Block
	m.rowsEach(lo, hi, func(t, n int) float32 {
		return dotQ8Go(m.xRow(t), m.w.Q8[n*K:(n+1)*K], m.w.Scales[n*spr:(n+1)*spr])
	})
}

// rowsAffineGo computes rows of an affine int8 matrix with the Go dot.
func (m *matmulTask) rowsAffineGo(_, lo, hi int) {
	K, spr := m.w.Cols, m.w.Cols/Q8Block*AffineFloats
	m.rowsEach(lo, hi, func(t, n int) float32 {
		return dotQ8AffineGo(m.xRow(t), m.w.Q8[n*K:(n+1)*K], m.w.Affine[n*spr:(n+1)*spr])
	})
}

// rowsQ4Go computes rows of a 4-bit matrix with the Go kernel.
func (m *matmulTask) rowsQ4Go(_, lo, hi int) {
	m.rowsEach(lo, hi, func(t, n int) float32 { return dotQ4Go(m.act, t, m.w, n) })
}

// rowsQ8PanelsGo computes rows of a Q8_0 panel matrix with the Go kernel.
func (m *matmulTask) rowsQ8PanelsGo(_, lo, hi int) {
	m.rowsEach(lo, hi, func(t, n int) float32 { return dotQ8PanelsGo(m.act, t, m.w, n) })
}

// rowsKQuantGo computes rows of a K-quant matrix with the Go kernel.
func (m *matmulTask) rowsKQuantGo(_, lo, hi int) {
	m.rowsEach(lo, hi, func(t, n int) float32 { return dotKQuantGo(m.act, t, m.w, n) })
}

// Q4AffineNative reports whether the kernel family NewPool chooses runs the
// 4-bit affine format (Q4_K, Q4_1, Q4_0 exact) with vector kernels;
// elsewhere callers keep those weights as int8.
func Q4AffineNative() bool { return chosenFamily().nativeQ4Affine }

// KQuantNative reports whether the kernel family NewPool chooses runs
// K-quant weights as in the file (the fast tier); elsewhere callers keep
// them in the affine forms, computed exactly.
func KQuantNative() bool { return chosenFamily().nativeKQuant }

// Q8PanelsNative reports whether the kernel family NewPool chooses runs
// Q8_0 weights in panels on integer kernels (the fast tier); elsewhere
// callers keep them int8 with float activations, exactly.
func Q8PanelsNative() bool { return chosenFamily().nativeQ8Panels }

// Q4Native reports whether the kernel family NewPool chooses runs 4-bit
// weights with native kernels; elsewhere they would run in Go, slower than
// int8, so callers keep int8 instead.
func Q4Native() bool { return chosenFamily().nativeQ4 }

// chosenFamily is the family $LFM2_KERNELS or the CPU chooses (its exact
// tier): the one NewPool runs, so weights are held as its kernels want.
func chosenFamily() family {
	impl, _ := chooseImpl()
	return familyOf(impl, false)
}
