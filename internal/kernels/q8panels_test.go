package kernels

import (
	"math/rand/v2"
	"testing"
)

// randQ8Panels is a Q8_0 panel matrix of random int8 (the extremes
// included) with random f16 scales.
func randQ8Panels(rng *rand.Rand, rows, cols int) Mat {
	blocks := make([]byte, rows*cols/Q8Block*Q8Block0)
	for b := 0; b < len(blocks)/Q8Block0; b++ {
		blk := blocks[b*Q8Block0:]
		s := F32ToF16(rng.Float32() * 0.01)
		blk[0], blk[1] = byte(s), byte(s>>8)
		for j := 2; j < Q8Block0; j++ {
			blk[j] = byte(rng.IntN(256))
		}
	}
	m, err := NewMatQ8Panels(rows, cols, blocks)
	if err != nil {
		panic(err)
	}
	return m
}

// TestQ8PanelsHoldTheWeights: a Q8_0 panel matrix's rows, read back, are
// q × scale of the blocks it was made from, for every int8 q.
func TestQ8PanelsHoldTheWeights(t *testing.T) {
	const rows, cols = 19, 512
	rng := rand.New(rand.NewPCG(5, 6))
	blocks := make([]byte, rows*cols/Q8Block*Q8Block0)
	for i := range blocks {
		blocks[i] = byte(rng.IntN(256))
	}
	for b := 0; b < len(blocks)/Q8Block0; b++ {
		blocks[b*Q8Block0+1] &= 0x3f // finite f16 scales
	}
	m, err := NewMatQ8Panels(rows, cols, blocks)
	if err != nil {
		t.Fatal(err)
	}
	row := make([]float32, cols)
	for r := 0; r < rows; r++ {
		m.Row(row, r)
		for c, got := range row {
			blk := blocks[(r*cols+c)/Q8Block*Q8Block0:]
			want := float32(int8(blk[2+c%Q8Block])) * F16ToF32(uint16(blk[0])|uint16(blk[1])<<8)
			if got != want {
				t.Fatalf("row %d column %d: %v, want %v", r, c, got, want)
			}
		}
	}
	if _, err := NewMatQ8Panels(rows, cols, blocks[1:]); err == nil {
		t.Error("a short block list was accepted")
	}
	if _, err := NewMatQ8Panels(rows, 96, blocks[:rows*3*Q8Block0]); err == nil {
		t.Error("a width of 96 (not whole super-blocks) was accepted")
	}
}

// TestQ8PanelsSpecificationIsNearExact: with the two activation planes the
// specification's dot is within 2⁻¹³ of Σ|w·x| of the float64 dot of the
// weights with the unrounded activations.
func TestQ8PanelsSpecificationIsNearExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	const T, K, N = 3, 1024, 20
	p := NewPoolImpl(1, ImplGo)
	defer p.Close()
	w := randQ8Panels(rng, N, K)
	x := randF32(rng, T*K)
	got := make([]float32, T*N)
	p.MatMul(got, x, T, &w)
	checkNearExact(t, "q8_0", &w, x, T, got)
}
