package kernels

import (
	"math"
	"unsafe"

	"github.com/lfm2go/lfm2/internal/half"
)

// An f16 KV cache (KVSpan.Half) holds keys and values in half precision,
// as llama.cpp's default cache does: half the memory, and half the bytes
// decode's attention reads a token, which at long contexts is most of
// what a step reads. A row is rounded once as it is stored (StoreF16)
// and widened exactly as a chunk is read (Attend), so attention on an
// f16 cache computes exactly what it computes on an f32 cache holding
// the rounded values, with the same batch invariance.

// f16Max is the largest finite half: stored values are clamped to it, so
// that an outlier key or value costs precision, never an infinity that
// would turn its whole attention row into NaN.
const f16Max = 65504

// f32ToF16Go is the specification of storing a row: each value clamped
// to ±f16Max, then rounded to the nearest half, ties to even (NaN stays
// NaN).
func f32ToF16Go(dst []uint16, src []float32) {
	_ = dst[len(src)-1]
	for i, v := range src {
		dst[i] = half.FromF32(float32(math.Max(-f16Max, math.Min(f16Max, float64(v)))))
	}
}

// f16ToF32Go is the specification of reading a row: each half widened to
// float32 (exact).
func f16ToF32Go(dst []float32, src []uint16) {
	_ = dst[len(src)-1]
	for i, h := range src {
		dst[i] = half.ToF32(h)
	}
}

// StoreF16 rounds src into dst as an f16 KV cache stores a row (see
// f32ToF16Go), with the family's kernel.
func (p *Pool) StoreF16(dst []uint16, src []float32) {
	if len(src) > 0 {
		p.fam.toF16(dst[:len(src)], src)
	}
}

// halfRow is position pos's row of an f16 span.
func (s *KVSpan) halfRow(pos int) []uint16 {
	b := s.Half[pos/s.BlockSize]
	r := pos % s.BlockSize
	return b[r*s.Stride : (r+1)*s.Stride]
}

// halfChunkInPlace is chunkInPlace for an f16 cache: positions [c, c+16)
// as views into the blocks (row stride rs halves) when all 16 are cached
// positions in one block.
func halfChunkInPlace(keys, vals *KVSpan, c, nk, off int) (kh, vh []uint16, rs int, ok bool) {
	r := c % keys.BlockSize
	if nk < lanes || r+lanes > keys.BlockSize || keys.Stride != vals.Stride || keys.BlockSize != vals.BlockSize {
		return nil, nil, 0, false
	}
	rs = keys.Stride
	lo, hi := r*rs+off, (r+lanes)*rs
	return keys.Half[c/keys.BlockSize][lo:hi], vals.Half[c/vals.BlockSize][lo:hi], rs, true
}

// widenRowsGo is the specification of reading a chunk's rows: rows rows
// of d halves, stride halves apart in src, widened (f16ToF32Go) into rows
// of d floats one after another in dst.
func widenRowsGo(dst []float32, src []uint16, stride, rows, d int) {
	for r := 0; r < rows; r++ {
		f16ToF32Go(dst[r*d:(r+1)*d], src[r*stride:r*stride+d])
	}
}

// widenAsm is a vector kernel of widenRowsGo for rows > 0 and d > 0 a
// multiple of 8.
type widenAsm func(dst *float32, src *uint16, stride, rows, d int)

// widenKernels makes a family's toF32 and widenRows of its vector
// kernel: the slices' bounds checked once, and Go for what it does not
// take (a row's last d%8 values, widths not a multiple of 8).
func widenKernels(asm widenAsm) (toF32 func(dst []float32, src []uint16), widenRows func(dst []float32, src []uint16, stride, rows, d int)) {
	toF32 = func(dst []float32, src []uint16) {
		n := len(src) &^ 7
		if n > 0 {
			_ = dst[n-1]
			asm(&dst[0], &src[0], n, 1, n)
		}
		if n < len(src) {
			f16ToF32Go(dst[n:], src[n:])
		}
	}
	widenRows = func(dst []float32, src []uint16, stride, rows, d int) {
		if rows <= 0 || d <= 0 {
			return
		}
		if d%8 != 0 {
			widenRowsGo(dst, src, stride, rows, d)
			return
		}
		_, _ = dst[rows*d-1], src[(rows-1)*stride+d-1]
		asm(&dst[0], &src[0], stride, rows, d)
	}
	return toF32, widenRows
}

// widenChunk widens positions [c, c+nk) of an f16 span, columns [off,
// off+d), into the rows of dst (d floats apart), as the tiles read a
// chunk, and zeroes its rows up to lanes (finite, so that 0·v is 0). A
// chunk inside one block (blocks of a multiple of 16 positions: all the
// engine uses) takes one call.
func (p *Pool) widenChunk(dst []float32, s *KVSpan, c, nk, off, d int) {
	if r := c % s.BlockSize; r+nk <= s.BlockSize {
		p.fam.widenRows(dst, s.Half[c/s.BlockSize][r*s.Stride+off:], s.Stride, nk, d)
	} else {
		for kk := 0; kk < nk; kk++ {
			p.fam.toF32(dst[kk*d:(kk+1)*d], s.halfRow(c + kk)[off:off+d])
		}
	}
	clear(dst[nk*d : lanes*d])
}

// prefetchHalf asks for positions [c, c+nk) of an f16 span, columns [off,
// off+d), ahead of their use: the hardware prefetchers do not follow a kv
// head's rows (128 bytes of every 1 KiB in LFM2-350M's cache).
func (p *Pool) prefetchHalf(s *KVSpan, c, nk, off, d int) {
	if d%2 != 0 || s.Stride%2 != 0 {
		return // rows not whole floats: left to the hardware
	}
	for kk := c; kk < c+nk; {
		b, r := s.Half[kk/s.BlockSize], kk%s.BlockSize
		n := min(c+nk-kk, s.BlockSize-r)
		rows := b[r*s.Stride+off : (r+n-1)*s.Stride+off+d]
		p.fam.prefetch(unsafe.Slice((*float32)(unsafe.Pointer(&rows[0])), len(rows)/2), s.Stride/2, n, d/2)
		kk += n
	}
}
