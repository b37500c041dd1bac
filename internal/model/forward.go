package model

import (
	"fmt"
	"math"

	"github.com/lfm2go/lfm2/internal/cache"
	"github.com/lfm2go/lfm2/internal/kernels"
	"github.com/lfm2go/lfm2/internal/pages"
)

// scratch holds the activations of one forward pass, grown to the largest
// batch seen and reused.
type scratch struct {
	x, xn, out     []float32 // [T × hidden]: residual, normed input, mixer/FFN output
	proj           []float32 // [T × 3·hidden]: conv in_proj output (B, C, X)
	convY, convZ   []float32 // [T × hidden]
	q, att         []float32 // [T × heads·headDim]
	k, v           []float32 // [T × kvHeads·headDim]
	gate, up       []float32 // [T × ff]
	headIn, logits []float32 // [R × hidden], [R × vocab]
	rows           [][]float32
	tokSlot        []int32
	attn           attnTask
	fusedW         [3]*kernels.Mat // arguments of fused matmuls, kept here so calls do not allocate
	fusedD         [3][]float32
}

func grow(buf *[]float32, n int) []float32 {
	if cap(*buf) < n {
		*buf = make([]float32, n)
		pages.Populate(*buf) // written at once by the step: no fault a page
	}
	*buf = (*buf)[:n]
	return *buf
}

// Forward runs one step. It reserves KV blocks for every span (returning
// cache.ErrNoBlocks, with nothing else changed, when the pool is short),
// advances each slot's state, and returns the logits the spans ask for, in
// span order: one row for LastLogits, Len rows for AllLogits. The rows are
// valid until the next call.
func (m *Model) Forward(b *Batch, c *cache.Cache) ([][]float32, error) {
	cfg := m.Config
	if err := b.validate(c, cfg.VocabSize); err != nil {
		return nil, err
	}
	need := 0
	for _, s := range b.Spans {
		need += c.BlocksFor(s.Slot, c.Len(s.Slot)+s.Len)
	}
	if need > c.FreeBlocks() {
		return nil, cache.ErrNoBlocks
	}
	for _, s := range b.Spans {
		if err := c.Reserve(s.Slot, c.Len(s.Slot)+s.Len); err != nil {
			return nil, fmt.Errorf("forward: %w", err)
		}
	}
	T, D := len(b.Tokens), cfg.Hidden
	sc := &m.scratch
	x := grow(&sc.x, T*D)
	xn := grow(&sc.xn, T*D)
	out := grow(&sc.out, T*D)
	sc.tokSlot = sc.tokSlot[:0]
	for _, s := range b.Spans {
		for range s.Len {
			sc.tokSlot = append(sc.tokSlot, int32(s.Slot))
		}
	}

	for t, id := range b.Tokens {
		m.Embed.Row(x[t*D:(t+1)*D], int(id))
	}
	for li := range m.Layers {
		l := &m.Layers[li]
		m.norm(xn, x, l.OperatorNorm, T)
		if l.Conv != nil {
			m.shortConv(out, xn, l, b, c)
		} else {
			m.attention(out, xn, l, b, c)
		}
		m.pool.Add(x, out)
		m.norm(xn, x, l.FFNNorm, T)
		m.ffn(out, xn, l.FFN, T)
		m.pool.Add(x, out)
	}
	for _, s := range b.Spans {
		c.Advance(s.Slot, b.Tokens[s.Start:s.Start+s.Len])
	}
	return m.head(x, b), nil
}

// norm applies RMSNorm with weight w to each of T rows.
func (m *Model) norm(dst, src, w []float32, T int) {
	m.pool.RMSNormRows(dst, src, w, T, m.Config.Hidden, m.Config.NormEps)
}

// shortConv is SPEC §3.4: [B;C;X] = in_proj·u, y = B⊙X, z = causal depthwise
// conv of y continuing the slot's state, out = out_proj·(C⊙z).
func (m *Model) shortConv(out, u []float32, l *Layer, b *Batch, c *cache.Cache) {
	T, D, sc := len(b.Tokens), m.Config.Hidden, &m.scratch
	proj := grow(&sc.proj, T*3*D)
	y := grow(&sc.convY, T*D)
	z := grow(&sc.convZ, T*D)
	m.pool.MatMul(proj, u, T, &l.Conv.InProj)
	for t := 0; t < T; t++ {
		row := proj[t*3*D : (t+1)*3*D]
		m.pool.Mul(y[t*D:(t+1)*D], row[:D], row[2*D:])
	}
	for _, s := range b.Spans {
		rows := y[s.Start*D : (s.Start+s.Len)*D]
		state := c.ConvState(s.Slot, l.CacheIndex)
		snapshotConv(c, s, l.CacheIndex, state, rows, D, m.Config.ConvL-1)
		m.pool.CausalConv(z[s.Start*D:(s.Start+s.Len)*D], rows, state, l.Conv.Taps, s.Len, D, m.Config.ConvL)
	}
	for t := 0; t < T; t++ {
		zr := z[t*D : (t+1)*D]
		m.pool.Mul(zr, proj[t*3*D+D:t*3*D+2*D], zr)
	}
	m.pool.MatMul(out, z, T, &l.Conv.OutProj)
}

// snapshotConv saves, for the prefix cache, the conv state at each block end
// the span crosses: the state after position p-1 is the last hist rows of
// [state ‖ y] before p. The cache says where (nil when it keeps none).
func snapshotConv(c *cache.Cache, s Span, layer int, state, y []float32, D, hist int) {
	start, bs := c.Len(s.Slot), c.BlockSize()
	for p := (start/bs + 1) * bs; p <= start+s.Len; p += bs {
		dst := c.ConvSnapshot(s.Slot, p, layer)
		if dst == nil {
			return
		}
		for r := range hist {
			i := p - hist + r - start // row in y; negative: in the state before the span
			if i >= 0 {
				copy(dst[r*D:(r+1)*D], y[i*D:(i+1)*D])
			} else {
				copy(dst[r*D:(r+1)*D], state[(hist+i)*D:(hist+i+1)*D])
			}
		}
	}
}

// attention is SPEC §3.5: q, k, v projections; per-head RMSNorm of q and k;
// NeoX RoPE at each token's position; K and V appended to the cache; causal
// GQA attention over the slot's cache; out_proj.
func (m *Model) attention(out, u []float32, l *Layer, b *Batch, c *cache.Cache) {
	cfg, sc := m.Config, &m.scratch
	T, d := len(b.Tokens), cfg.HeadDim
	qd, kvd := cfg.Heads*d, cfg.KVHeads*d
	q := grow(&sc.q, T*qd)
	k := grow(&sc.k, T*kvd)
	v := grow(&sc.v, T*kvd)
	att := grow(&sc.att, T*qd)
	a := l.Attn
	sc.fusedW, sc.fusedD = [3]*kernels.Mat{&a.Q, &a.K, &a.V}, [3][]float32{q, k, v}
	m.pool.MatMuls(u, T, sc.fusedW[:], sc.fusedD[:])
	f16 := c.Shape().F16
	for t := 0; t < T; t++ {
		cos, sin := m.rope.at(int(b.Positions[t]))
		for h := 0; h < cfg.Heads; h++ {
			qh := q[t*qd+h*d : t*qd+(h+1)*d]
			m.pool.RMSNorm(qh, qh, a.QNorm, cfg.NormEps)
			m.pool.RoPE(qh, cos, sin)
		}
		for g := 0; g < cfg.KVHeads; g++ {
			kh := k[t*kvd+g*d : t*kvd+(g+1)*d]
			m.pool.RMSNorm(kh, kh, a.KNorm, cfg.NormEps)
			m.pool.RoPE(kh, cos, sin)
		}
		slot, pos := int(sc.tokSlot[t]), int(b.Positions[t])
		if f16 {
			kc, vc := c.KVRowF16(slot, l.CacheIndex, pos)
			m.pool.StoreF16(kc, k[t*kvd:(t+1)*kvd])
			m.pool.StoreF16(vc, v[t*kvd:(t+1)*kvd])
			continue
		}
		kc, vc := c.KVRow(slot, l.CacheIndex, pos)
		copy(kc, k[t*kvd:(t+1)*kvd])
		copy(vc, v[t*kvd:(t+1)*kvd])
	}
	sc.attn.setup(m, c, b, l.CacheIndex, q, att)
	m.pool.Run(&sc.attn, len(sc.attn.units), 1)
	sc.attn.release()
	m.pool.MatMul(out, att, T, &a.Out)
}

// attnUnit is heads query blocks of one span, of kv heads g … g+heads-1:
// up to 16 queries of kv head g numbered from first in (token,
// head-in-group) order, or (decode) a token's queries of several kv heads,
// taken together.
type attnUnit struct {
	span, g, first, heads int
}

// attnTask runs the attention units of a step in parallel.
type attnTask struct {
	m      *Model
	c      *cache.Cache
	b      *Batch
	layer  int
	q, out []float32
	units  []attnUnit
	blocks [][kernels.MaxAttendHeads]kernels.QueryBlock // per worker
}

func (a *attnTask) setup(m *Model, c *cache.Cache, b *Batch, layer int, q, out []float32) {
	a.m, a.c, a.b, a.layer, a.q, a.out = m, c, b, layer, q, out
	cfg := m.Config
	group := cfg.Heads / cfg.KVHeads
	a.units = a.units[:0]
	// A decode token's kv heads are shared out among the threads in runs
	// of heads walked together (AttendHeads): a core then reads a run's
	// part of each row of the cache at once, not one head's 256 bytes of
	// every row and then the next head's. With LFM2-350M's eight kv heads
	// on two threads, decode after a 4096-token prompt went from 93–104
	// to 103–118 tok/s (Q4_0, f32 cache, Zen 5), after 512 tokens +3–5%.
	heads := max(1, min(kernels.MaxAttendHeads, cfg.KVHeads/m.pool.Threads()))
	for si, s := range b.Spans {
		if s.Len*group <= 16 { // one query block a kv head: decode
			for g := 0; g < cfg.KVHeads; g += heads {
				a.units = append(a.units, attnUnit{si, g, 0, min(heads, cfg.KVHeads-g)})
			}
			continue
		}
		for g := 0; g < cfg.KVHeads; g++ {
			for first := 0; first < s.Len*group; first += 16 {
				a.units = append(a.units, attnUnit{si, g, first, 1})
			}
		}
	}
	if len(a.blocks) < m.pool.Threads() {
		a.blocks = make([][kernels.MaxAttendHeads]kernels.QueryBlock, m.pool.Threads())
	}
}

func (a *attnTask) release() { a.m, a.c, a.b, a.q, a.out = nil, nil, nil, nil, nil }

func (a *attnTask) Run(worker, lo, hi int) {
	cfg := a.m.Config
	d, group := cfg.HeadDim, cfg.Heads/cfg.KVHeads
	qd := cfg.Heads * d
	scale := float32(1 / math.Sqrt(float64(d)))
	for _, u := range a.units[lo:hi] {
		s := a.b.Spans[u.span]
		qbs := a.blocks[worker][:u.heads]
		for j := range qbs {
			qb := &qbs[j]
			qb.N = min(16, s.Len*group-u.first)
			for i := 0; i < qb.N; i++ {
				t := s.Start + (u.first+i)/group
				h := (u.g+j)*group + (u.first+i)%group
				qb.Q[i] = a.q[t*qd+h*d : t*qd+(h+1)*d]
				qb.Out[i] = a.out[t*qd+h*d : t*qd+(h+1)*d]
				qb.Pos[i] = a.b.Positions[t]
			}
		}
		keys, vals := a.c.KV(s.Slot, a.layer)
		a.m.pool.AttendHeads(worker, qbs, keys, vals, u.g*d, d, d, scale)
	}
}

// ffn is SwiGLU: w2 · (silu(w1·u) ⊙ w3·u).
func (m *Model) ffn(out, u []float32, f *FFN, T int) {
	sc := &m.scratch
	ff := m.Config.FFN
	gate := grow(&sc.gate, T*ff)
	up := grow(&sc.up, T*ff)
	sc.fusedW, sc.fusedD = [3]*kernels.Mat{&f.W1, &f.W3}, [3][]float32{gate, up}
	m.pool.MatMuls(u, T, sc.fusedW[:2], sc.fusedD[:2])
	m.pool.SwiGLU(gate, gate, up)
	m.pool.MatMul(out, gate, T, &f.W2)
}

// head applies the final norm and the LM head to the rows that want logits.
func (m *Model) head(x []float32, b *Batch) [][]float32 {
	D, V, sc := m.Config.Hidden, m.Config.VocabSize, &m.scratch
	R := 0
	for _, s := range b.Spans {
		switch s.Logits {
		case LastLogits:
			R++
		case AllLogits:
			R += s.Len
		}
	}
	if R == 0 {
		return nil
	}
	in := grow(&sc.headIn, R*D)
	r := 0
	addRow := func(t int) {
		m.pool.RMSNorm(in[r*D:(r+1)*D], x[t*D:(t+1)*D], m.FinalNorm, m.Config.NormEps)
		r++
	}
	for _, s := range b.Spans {
		switch s.Logits {
		case LastLogits:
			addRow(s.Start + s.Len - 1)
		case AllLogits:
			for t := s.Start; t < s.Start+s.Len; t++ {
				addRow(t)
			}
		}
	}
	logits := grow(&sc.logits, R*V)
	m.pool.MatMul(logits, in, R, &m.Head)
	sc.rows = sc.rows[:0]
	for i := 0; i < R; i++ {
		sc.rows = append(sc.rows, logits[i*V:(i+1)*V])
	}
	return sc.rows
}
