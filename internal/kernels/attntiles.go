//go:build (amd64 || arm64) && !purego

package kernels

// The tiles' assembler takes pointers; these wrap it for the family table:
// the slices' bounds checked once, and the Go specification for head sizes
// the assembler does not take (a multiple of multiple).
type (
	scoreAsm   func(s, qt, k *float32, d, kstride int)
	accumAsm   func(ot, p, v, scale *float32, d, vstride int)
	softmaxAsm func(s, m, l, mult *float32, masks *uint16)
	scoreHAsm  func(s, qt *float32, k *uint16, d, kstride int)
	accumHAsm  func(ot, p *float32, v *uint16, scale *float32, d, vstride int)
)

func scoreTile(asm scoreAsm, multiple int, spec func(s, qt, k []float32, d, kstride int)) func(s, qt, k []float32, d, kstride int) {
	return func(s, qt, k []float32, d, kstride int) {
		if d%multiple != 0 {
			spec(s, qt, k, d, kstride)
			return
		}
		_, _, _ = s[lanes*lanes-1], qt[lanes*d-1], k[(lanes-1)*kstride+d-1]
		asm(&s[0], &qt[0], &k[0], d, kstride)
	}
}

// accumTile is scoreTile for an accumulation tile writing queries rows of
// ot (lanes, or narrowLanes for the narrow tiles).
func accumTile(asm accumAsm, multiple, queries int, spec func(ot, pr, v, mult []float32, d, vstride int)) func(ot, pr, v, mult []float32, d, vstride int) {
	return func(ot, pr, v, mult []float32, d, vstride int) {
		if d%multiple != 0 {
			spec(ot, pr, v, mult, d, vstride)
			return
		}
		_, _, _, _ = ot[queries*d-1], pr[lanes*lanes-1], v[(lanes-1)*vstride+d-1], mult[queries-1]
		asm(&ot[0], &pr[0], &v[0], &mult[0], d, vstride)
	}
}

// scoreTileF16 and accumTileF16 wrap the narrow tiles that read an f16
// cache (head sizes a multiple of 32: the narrow tiles' condition).
func scoreTileF16(asm scoreHAsm) func(s, qt []float32, k []uint16, d, kstride int) {
	return func(s, qt []float32, k []uint16, d, kstride int) {
		_, _, _ = s[lanes*lanes-1], qt[lanes*d-1], k[(lanes-1)*kstride+d-1]
		asm(&s[0], &qt[0], &k[0], d, kstride)
	}
}

func accumTileF16(asm accumHAsm, queries int) func(ot, pr []float32, v []uint16, mult []float32, d, vstride int) {
	return func(ot, pr []float32, v []uint16, mult []float32, d, vstride int) {
		_, _, _, _ = ot[queries*d-1], pr[lanes*lanes-1], v[(lanes-1)*vstride+d-1], mult[queries-1]
		asm(&ot[0], &pr[0], &v[0], &mult[0], d, vstride)
	}
}

// narrowSet is the narrowTiles entry for queries queries made of four
// tiles' assembler: the score tile takes head sizes a multiple of
// scoreStep, the accumulation tile of accumStep (others go to the Go
// specification for that many queries).
func narrowSet(queries, scoreStep, accumStep int, scores scoreAsm, accum accumAsm, scoresF16 scoreHAsm, accumF16 accumHAsm) narrowTiles {
	return narrowTiles{queries: queries,
		scores:    scoreTile(scores, scoreStep, attnScoresNarrowGo(queries)),
		accum:     accumTile(accum, accumStep, queries, attnAccumNarrowGo(queries)),
		scoresF16: scoreTileF16(scoresF16),
		accumF16:  accumTileF16(accumF16, queries),
	}
}

func softmaxStep(asm softmaxAsm) func(s, m, l, mult []float32, masks *[lanes]uint16) {
	return func(s, m, l, mult []float32, masks *[lanes]uint16) {
		_, _, _, _ = s[lanes*lanes-1], m[lanes-1], l[lanes-1], mult[lanes-1]
		asm(&s[0], &m[0], &l[0], &mult[0], &masks[0])
	}
}
