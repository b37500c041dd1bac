package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// kqShape is a K-quant format's sub-blocks per super-block and quant levels.
func kqShape(f Format) (subs, levels int) {
	switch f {
	case FormatQ5K:
		return 8, 32
	case FormatQ6K:
		return 16, 64
	}
	return 8, 16
}

// randKQuant is a K-quant matrix of format f with random quants, scales
// (of both signs for Q6_K) and mins, d and dmin of a few magnitudes.
func randKQuant(rng *rand.Rand, f Format, rows, cols int) Mat {
	nsb := rows * cols / KQuantBlock
	subs, levels := kqShape(f)
	q := make([]uint8, rows*cols)
	for i := range q {
		q[i] = uint8(rng.IntN(levels))
	}
	d, dmin, scales, mins := make([]uint16, nsb), make([]uint16, nsb), make([]int8, nsb*subs), make([]uint8, nsb*8)
	for i := range d {
		d[i] = F32ToF16(rng.Float32() * 0.002 * float32(1+i%3))
		dmin[i] = F32ToF16(rng.Float32() * 0.003)
	}
	for i := range scales {
		if f == FormatQ6K {
			scales[i] = int8(rng.IntN(256) - 128)
		} else {
			scales[i] = int8(rng.IntN(64))
		}
	}
	for i := range mins {
		mins[i] = uint8(rng.IntN(64))
	}
	if f == FormatQ6K {
		dmin, mins = nil, nil
	}
	m, err := newMatKQuantWhole(f, rows, cols, q, d, dmin, scales, mins)
	if err != nil {
		panic(err)
	}
	return m
}

// newMatKQuantWhole is NewMatKQuant from whole-matrix parts.
func newMatKQuantWhole(f Format, rows, cols int, q []uint8, d, dmin []uint16, scales []int8, mins []uint8) (Mat, error) {
	rsb, subs := cols/KQuantBlock, len(scales)/len(d)
	return NewMatKQuant(f, rows, cols, func(r0, n int, pq []uint8, pd, pdmin []uint16, ps []int8, pm []uint8) error {
		s0, s1 := r0*rsb, (r0+n)*rsb
		copy(pq, q[r0*cols:(r0+n)*cols])
		copy(pd, d[s0:s1])
		copy(ps, scales[s0*subs:s1*subs])
		if dmin != nil {
			copy(pdmin, dmin[s0:s1])
			copy(pm, mins[s0*8:s1*8])
		}
		return nil
	})
}

var kquantFormats = []Format{FormatQ4K, FormatQ5K, FormatQ6K}

// TestKQuantRefusesWideQuants: a quant of more bits than its format's,
// wherever it lies, is refused naming it; the format's largest is taken.
func TestKQuantRefusesWideQuants(t *testing.T) {
	const rows, cols = 20, 512
	for _, f := range kquantFormats {
		subs, levels := kqShape(f)
		nsb := rows * cols / KQuantBlock
		d, scales := make([]uint16, nsb), make([]int8, nsb*subs)
		var dmin []uint16
		var mins []uint8
		if f != FormatQ6K {
			dmin, mins = make([]uint16, nsb), make([]uint8, nsb*8)
		}
		for _, at := range []int{0, 7, 8, cols + 3, rows*cols - 1} {
			q := make([]uint8, rows*cols)
			q[at] = uint8(levels - 1)
			if _, err := newMatKQuantWhole(f, rows, cols, q, d, dmin, scales, mins); err != nil {
				t.Fatalf("%s: quant %d at %d refused: %v", f, levels-1, at, err)
			}
			q[at] = uint8(levels)
			_, err := newMatKQuantWhole(f, rows, cols, q, d, dmin, scales, mins)
			if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("quant %d has more than", levels)) {
				t.Fatalf("%s: quant %d at %d: err = %v", f, levels, at, err)
			}
		}
	}
}

// TestKQuantPanelsHoldTheWeights: a K-quant matrix's rows, read back from
// its panels, are d·scale·q − dmin·min (Q6_K: d·scale·(q − 32)) of the
// parts it was made from, rounded as gguf.Dequantize rounds.
func TestKQuantPanelsHoldTheWeights(t *testing.T) {
	const rows, cols = 19, 512
	for _, f := range kquantFormats {
		nsb := rows * cols / KQuantBlock
		subs, levels := kqShape(f)
		rng := rand.New(rand.NewPCG(1, uint64(f)))
		q := make([]uint8, rows*cols)
		for i := range q {
			q[i] = uint8(rng.IntN(levels))
		}
		d, dmin, scales, mins := make([]uint16, nsb), make([]uint16, nsb), make([]int8, nsb*subs), make([]uint8, nsb*8)
		for i := range d {
			d[i], dmin[i] = F32ToF16(rng.Float32()), F32ToF16(rng.Float32())
		}
		for i := range scales {
			scales[i] = int8(rng.IntN(64))
			if f == FormatQ6K {
				scales[i] = int8(rng.IntN(256) - 128)
			}
		}
		for i := range mins {
			mins[i] = uint8(rng.IntN(64))
		}
		m, err := newMatKQuantWhole(f, rows, cols, q, d, dmin, scales, mins)
		if err != nil {
			t.Fatal(err)
		}
		row := make([]float32, cols)
		for r := 0; r < rows; r++ {
			m.Row(row, r)
			for c, got := range row {
				sb, j := (r*cols+c)/KQuantBlock, c%KQuantBlock
				dd := F16ToF32(d[sb])
				var want float32
				if f == FormatQ6K {
					want = dd * float32(scales[sb*16+j/16]) * float32(int(q[r*cols+c])-32)
				} else {
					s, o := dd*float32(scales[sb*8+j/32]), F16ToF32(dmin[sb])*float32(mins[sb*8+j/32])
					want = float32(s*float32(q[r*cols+c])) - o
				}
				if got != want {
					t.Fatalf("%s row %d column %d: %v, want %v", f, r, c, got, want)
				}
			}
		}
		if f == FormatQ4K {
			q[7] = 16
			if _, err := newMatKQuantWhole(f, rows, cols, q, d, dmin, scales, mins); err == nil {
				t.Errorf("%s: a 5-bit quant was accepted", f)
			}
		}
	}
}

// TestKQuantSpecificationIsNearExact: the specification's dot (two int8
// planes of activations) is within 2⁻¹³ of Σ|w·x| of the float64 dot of
// the dequantized weights with the unrounded activations: the planes hold
// each activation to about 2⁻¹⁵ of its block's largest.
func TestKQuantSpecificationIsNearExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const T, K, N = 3, 1024, 20
	p := NewPoolImpl(1, ImplGo)
	defer p.Close()
	for _, f := range kquantFormats {
		w := randKQuant(rng, f, N, K)
		x := randF32(rng, T*K)
		for i := range x {
			x[i] *= float32(math.Pow(4, float64(i%5-2)))
		}
		got := make([]float32, T*N)
		p.MatMul(got, x, T, &w)
		checkNearExact(t, f.String(), &w, x, T, got)
	}
}

// checkNearExact holds got (x times w's rows) within 2⁻¹³ of Σ|w·x| of
// the float64 products of w's rows with x.
func checkNearExact(t *testing.T, name string, w *Mat, x []float32, T int, got []float32) {
	t.Helper()
	K, N := w.Cols, w.Rows
	row := make([]float32, K)
	for n := 0; n < N; n++ {
		w.Row(row, n)
		for tt := 0; tt < T; tt++ {
			var want, mag float64
			for k := range row {
				want += float64(row[k]) * float64(x[tt*K+k])
				mag += math.Abs(float64(row[k]) * float64(x[tt*K+k]))
			}
			if d := math.Abs(float64(got[tt*N+n]) - want); d > mag/8192 {
				t.Errorf("%s row %d, activation %d: %v, float64 %v (Σ|w·x| %v)", name, n, tt, got[tt*N+n], want, mag)
			}
		}
	}
}

// TestKQuantKernelsMatchSpecification: every family's K-quant and Q8_0
// panel kernels give each output of dotKQuantGo or dotQ8PanelsGo (to the
// last bit but for fma32's rare double rounding) for every format, on
// shapes that use the four-row, four-panel and one-row kernels, several
// activation blocks and partial panels; and the families agree bit for
// bit.
func TestKQuantKernelsMatchSpecification(t *testing.T) {
	rng := rand.New(rand.NewPCG(97, 98))
	tested := false
	for _, f := range append(kquantFormats, FormatQ8Panels) {
		impls := implsWith(func(fam *family) bool {
			if fam.act16 && act16Format(f) {
				return false // their own specification: act16_test.go
			}
			return f == FormatQ8Panels && fam.nativeQ8Panels || f != FormatQ8Panels && fam.nativeKQuant
		})
		tested = tested || len(impls) > 0
		for _, tk := range [][3]int{{1, 256, 16}, {1, 1024, 70}, {2, 512, 33}, {5, 1024, 64}, {9, 256, 48}, {140, 1024, 20}, {1, 256, 200}} {
			T, K, N := tk[0], tk[1], tk[2]
			var w Mat
			if f == FormatQ8Panels {
				w = randQ8Panels(rng, N, K)
			} else {
				w = randKQuant(rng, f, N, K)
			}
			checkFamiliesMatchSpec(t, f.String(), impls, &w, randF32(rng, T*K), T)
		}
	}
	if !tested {
		t.Skip("no family with K-quant or Q8_0 panel kernels on this CPU")
	}
}

// TestRoundActKMatchesSpecification: every family prepares the K-quant
// kernels' activations exactly as roundActKGo: random blocks of several
// magnitudes, a block of zeros, and a block on the int8 grid (a residual
// of zeros under nonzero q).
func TestRoundActKMatchesSpecification(t *testing.T) {
	const blocks = 40
	x := roundingBlocks(rand.New(rand.NewPCG(99, 100)), blocks)
	grid := x[7*Q8Block : 8*Q8Block]
	for i := range grid {
		grid[i] = float32(i%16 - 8)
	}
	grid[0] = 127
	q, corr, scale := make([]int8, len(x)), make([]int32, blocks), make([]float32, blocks)
	roundAct8Go(x, q, corr, scale)
	wantL, wantF, wantI := make([]int8, len(x)), make([]float32, 4*blocks), make([]int32, 4*blocks)
	roundActKGo(x, q, scale, wantL, wantF, wantI)
	if wantF[4*7+1] != 0 || wantI[4*7] == 0 {
		t.Fatalf("specification: a block on the grid has residual scale %v and q sum %v", wantF[4*7+1], wantI[4*7])
	}
	for _, impl := range Available() {
		l, f, i := make([]int8, len(x)), make([]float32, 4*blocks), make([]int32, 4*blocks)
		familyOf(impl, false).roundActK(x, q, scale, l, f, i)
		for j := range l {
			if l[j] != wantL[j] {
				t.Fatalf("%s: residual %d is %d, specification %d", impl, j, l[j], wantL[j])
			}
		}
		for j := range f {
			if math.Float32bits(f[j]) != math.Float32bits(wantF[j]) || i[j] != wantI[j] {
				t.Fatalf("%s: block %d word %d: %v %d, specification %v %d", impl, j/4, j%4, f[j], i[j], wantF[j], wantI[j])
			}
		}
	}
}

// TestKQuantFormats: the K-quant and Q8_0 panel formats pass what every
// format passes in every family (formatTests: ragged shapes, a row alone
// equal to the same row in a batch, no allocation), against the
// specification — which TestKQuantSpecificationIsNearExact holds to the
// float64 product (the int16 one, where the family uses it:
// TestAct16SpecificationsAreNearExact).
func TestKQuantFormats(t *testing.T) {
	spec := func(fam *family, w *Mat, x []float32, T int) []float64 {
		out := make([]float32, T*w.Rows)
		if fam.act16 && act16Format(w.PanelFormat) {
			var a act16 // their int16 specification (act16.go)
			a.prepare(x, T, w.Cols)
			for i := range out {
				out[i] = act16Spec(w.PanelFormat)(&a, i/w.Rows, w, i%w.Rows)
			}
		} else {
			p := NewPoolImpl(1, ImplGo)
			p.MatMul(out, x, T, w)
			p.Close()
		}
		res := make([]float64, len(out))
		for i, v := range out {
			res[i] = float64(v)
		}
		return res
	}
	for i, f := range append(kquantFormats, FormatQ8Panels) {
		mk := func(rng *rand.Rand, rows, cols int) Mat { return randKQuant(rng, f, rows, cols) }
		if f == FormatQ8Panels {
			mk = randQ8Panels
		}
		formatTests(t, weightFormat{name: f.String(), seed: [2]uint64{103, uint64(i)}, ts: []int{1, 3, 4, 5, 9},
			shapes: [][2]int{{256, 4}, {512, 33}, {1024, 20}, {256, 7}}, make: mk, wantIn: spec})
	}
}
