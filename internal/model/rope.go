package model

import "math"

// ropeTable holds cos and sin of position × inverse frequency, grown on demand.
// Angles are formed in float32, as Hugging Face does, so long contexts round
// the same way.
type ropeTable struct {
	half     int
	invFreq  []float32
	cos, sin []float32 // [pos][half]
}

func newRopeTable(headDim int, theta float64) ropeTable {
	half := headDim / 2
	inv := make([]float32, half)
	for j := range inv {
		exp := float32(2*j) / float32(headDim)
		inv[j] = float32(1 / float32(math.Pow(theta, float64(exp))))
	}
	return ropeTable{half: half, invFreq: inv}
}

// at returns cos and sin for position p.
func (r *ropeTable) at(p int) (cos, sin []float32) {
	if n := len(r.cos) / r.half; p >= n {
		grow := max(p+1, 2*n, 256)
		for q := n; q < grow; q++ {
			for _, f := range r.invFreq {
				a := float32(q) * f
				r.cos = append(r.cos, float32(math.Cos(float64(a))))
				r.sin = append(r.sin, float32(math.Sin(float64(a))))
			}
		}
	}
	return r.cos[p*r.half : (p+1)*r.half], r.sin[p*r.half : (p+1)*r.half]
}
