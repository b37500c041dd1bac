//go:build arm64 && !purego

package kernels

//go:noescape
func roundAct8NEON(x *float32, q *int8, corr *int32, scale *float32, blocks int)

// roundAct8Vec is roundAct8Go in NEON (act8_arm64.s).
func roundAct8Vec(x []float32, q []int8, corr []int32, scale []float32) {
	if n := len(x) / Q8Block; n > 0 {
		roundAct8NEON(&x[0], &q[0], &corr[0], &scale[0], n)
	}
}

//go:noescape
func roundActKNEON(x *float32, q *int8, scale *float32, kq *int8, kf *float32, ki *int32, blocks int)

// roundActKVec is roundActKGo in NEON (act8_arm64.s).
func roundActKVec(x []float32, q []int8, scale []float32, kq []int8, kf []float32, ki []int32) {
	if n := len(x) / Q8Block; n > 0 {
		roundActKNEON(&x[0], &q[0], &scale[0], &kq[0], &kf[0], &ki[0], n)
	}
}
