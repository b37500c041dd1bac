package model

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/lfm2go/lfm2/internal/cache"
	"github.com/lfm2go/lfm2/internal/gguf"
	"github.com/lfm2go/lfm2/internal/kernels"
	"github.com/lfm2go/lfm2/internal/safetensors"
)

// Load opens a Hugging Face model folder (config.json and model.safetensors
// or its shards). Weights stay memory-mapped; threads ≤ 0 means GOMAXPROCS.
func Load(dir string, threads int) (*Model, error) {
	cfg, err := LoadConfig(filepath.Join(dir, "config.json"))
	if err != nil {
		return nil, fmt.Errorf("load model %s: %w", dir, err)
	}
	ck, err := safetensors.OpenDir(dir)
	if err != nil {
		return nil, fmt.Errorf("load model %s: %w", dir, err)
	}
	m, err := fromSource(cfg, checkpointSource{ck}, threads)
	if err != nil {
		ck.Close()
		return nil, fmt.Errorf("load model %s: %w", dir, err)
	}
	m.closer = ck.Close
	return m, nil
}

// FromCheckpoint binds every tensor of ck to the network cfg describes.
// The model keeps views into ck, which must stay open while it is used.
func FromCheckpoint(cfg *Config, ck *safetensors.Checkpoint, threads int) (*Model, error) {
	return fromSource(cfg, checkpointSource{ck}, threads)
}

// fromSource binds every tensor of src to the network cfg describes.
func fromSource(cfg *Config, src source, threads int) (*Model, error) {
	// Compare what the config implies with what the files hold before
	// allocating anything sized by the config. The margin leaves small
	// mismatches (a missing tensor or two) to the binder, whose error lists
	// every missing and mis-shaped tensor by name.
	if need, have := int64(float64(cfg.ParamCount())*src.MinBytesPerWeight()), src.DataBytes(); need > 2*have+(64<<20) {
		return nil, fmt.Errorf("config implies %d weights (at least %d bytes) but the checkpoint holds %d bytes: config.json does not describe these weights",
			cfg.ParamCount(), need, have)
	}
	m := &Model{Config: cfg, Layers: make([]Layer, cfg.NumLayers)}
	b := &binder{src: src, dims: cfg.dims(), used: map[string]bool{}}
	b.bind("", m)
	nConv, nAttn := 0, 0
	for i := range m.Layers {
		l := &m.Layers[i]
		l.Kind = cfg.Layers[i]
		l.FFN = &FFN{}
		if l.Kind == ConvLayer {
			l.Conv, l.CacheIndex = &ShortConv{}, nConv
			nConv++
		} else {
			l.Attn, l.CacheIndex = &Attention{}, nAttn
			nAttn++
		}
		b.bind(fmt.Sprintf("model.layers.%d.", i), l)
	}
	var head untiedHead
	if !cfg.TiedHead {
		b.bind("", &head)
	}
	b.convert(threads)
	// A tied checkpoint that also stores lm_head.weight is read the way HF
	// reads it: the head is the embedding, the stored copy is ignored.
	if err := b.err(func(name string) bool { return cfg.TiedHead && name == "lm_head.weight" }); err != nil {
		if len(b.problems) > 0 {
			return nil, fmt.Errorf("%w (feed-forward width from config: %d)", err, cfg.FFN)
		}
		return nil, err
	}
	for i := range m.Layers {
		if c := m.Layers[i].Conv; c != nil {
			c.Taps = tapMajor(c.Kernel, cfg.Hidden, cfg.ConvL)
		}
	}
	m.Head = m.Embed
	if !cfg.TiedHead {
		m.Head = head.W
	}
	m.views = b.views
	m.pool = kernels.NewPool(threads)
	m.rope = newRopeTable(cfg.HeadDim, cfg.RopeTheta)
	return m, nil
}

// tapMajor transposes a depthwise conv kernel from [channel][tap] to
// [tap][channel].
func tapMajor(kernel []float32, channels, taps int) []float32 {
	t := make([]float32, channels*taps)
	for c := 0; c < channels; c++ {
		for k := 0; k < taps; k++ {
			t[k*channels+c] = kernel[c*taps+k]
		}
	}
	return t
}

// Close releases the worker pool and unmaps the weights.
func (m *Model) Close() error {
	m.pool.Close()
	if m.closer != nil {
		return m.closer()
	}
	return nil
}

// Threads is the number of goroutines a forward pass uses.
func (m *Model) Threads() int { return m.pool.Threads() }

// Parallel runs task over [0, n) on the forward pass's threads, one index
// at a time, between forward passes (the threads are idle then): the
// scheduler samples a step's sequences this way, and score turns rows of
// logits into log-probabilities. Indices may differ in cost.
func (m *Model) Parallel(task kernels.Task, n int) { m.pool.RunUneven(task, n) }

// Kernels names the kernel family the model's matmuls run on (see
// kernels.Impl): "amx", "avx512bf16", "avx512", "avx2" or "purego".
func (m *Model) Kernels() string { return string(m.pool.Impl()) }

// KernelInfo names the kernel family, the CPU features it uses and its
// accuracy tier.
func (m *Model) KernelInfo() string { return m.pool.Describe() }

// LateWorkers is how many times so far one of the kernels' threads was
// found late for a job: its core taken by another process or the
// hypervisor (see kernels.Pool.Lates).
func (m *Model) LateWorkers() int64 { return m.pool.Lates() }

// FastTier reports whether bf16 matmuls run in the fast tier.
func (m *Model) FastTier() bool { return m.pool.Fast() }

// UseFastTier switches bf16 matmuls to the kernel family's fast tier
// (activations rounded once to bf16, as llama.cpp and PyTorch's bf16
// inference compute) where the family has one; others stay exact. Call it
// before the model is used.
func (m *Model) UseFastTier() {
	threads, impl := m.pool.Threads(), m.pool.Impl()
	m.pool.Close()
	m.pool = kernels.NewPoolTier(threads, impl, true)
}

// UseF16KV makes the caches made for the model from now on (CacheShape,
// NewCache) hold keys and values in half precision, as llama.cpp's
// default cache does: half the memory a token takes, and half the bytes
// decode's attention reads, for K and V rounded once to f16.
func (m *Model) UseF16KV() { m.kvF16 = true }

// CacheShape is the state a cache must hold for this model.
func (m *Model) CacheShape() cache.Shape {
	c := m.Config
	return cache.Shape{
		ConvLayers:  c.Count(ConvLayer),
		ConvHistory: c.ConvL - 1,
		Hidden:      c.Hidden,
		AttnLayers:  c.Count(AttnLayer),
		KVDim:       c.KVHeads * c.HeadDim,
		F16:         m.kvF16,
	}
}

// NewCache makes a cache for this model with the given slots and KV budget.
func (m *Model) NewCache(slots, blockSize int, kvBytes int64) (*cache.Cache, error) {
	return cache.New(m.CacheShape(), slots, blockSize, kvBytes)
}

// matrices lists every weight matrix once (a tied head is the embedding).
func (m *Model) matrices() []*kernels.Mat {
	out := []*kernels.Mat{&m.Embed}
	if !m.Config.TiedHead {
		out = append(out, &m.Head)
	}
	for i := range m.Layers {
		l := &m.Layers[i]
		out = append(out, &l.FFN.W1, &l.FFN.W3, &l.FFN.W2)
		if l.Conv != nil {
			out = append(out, &l.Conv.InProj, &l.Conv.OutProj)
		} else {
			out = append(out, &l.Attn.Q, &l.Attn.K, &l.Attn.V, &l.Attn.Out)
		}
	}
	return out
}

// WeightBytes is the storage size of every weight matrix read per decoded
// token (embedding rows excluded, LM head included): the memory-bandwidth cost of one decode step.
func (m *Model) WeightBytes() int64 {
	var n int64
	for _, w := range m.matrices()[1:] {
		n += w.Bytes()
	}
	return n + m.Head.Bytes()
}

// PrefillFLOPs is the floating-point operations of the weight matrices in
// a prefill of tokens tokens (two per weight and row: a multiply and an
// add; the embedding is a lookup): every layer's matrices for each token,
// the LM head for the last only, the one row whose logits a prompt wants.
// What prefill's GFLOP/s are counted in.
func (m *Model) PrefillFLOPs(tokens int) int64 {
	var n int64
	for _, w := range m.matrices()[1:] {
		if w != &m.Head {
			n += 2 * int64(w.Rows) * int64(w.Cols) * int64(tokens)
		}
	}
	return n + 2*int64(m.Head.Rows)*int64(m.Head.Cols)
}

// MatMulPeak times, with the model's threads, the instruction that bounds
// its matrix products (kernels.Pool.MatMulPeak: their ceiling, in FLOP/s,
// on this machine at this moment) and names it; ok is false where the
// matrices mix formats or the kernel family has no such loop.
func (m *Model) MatMulPeak() (flops float64, instruction string, ok bool) {
	ms := append(m.matrices()[1:], &m.Head)
	f := ms[0].Format()
	for _, w := range ms {
		if w.Format() != f {
			return 0, "", false
		}
	}
	return m.pool.MatMulPeak(f, 9)
}

// DType is the storage type of the weight matrices ("bf16", "f32",
// "int8", …); a file that mixes types (Q4_K_M: Q4_K and Q6_K) gives them
// all, the one holding most bytes first ("q4-affine+int8-affine").
func (m *Model) DType() string {
	bytes := map[string]int64{}
	for _, w := range append(m.matrices()[1:], &m.Head) {
		bytes[w.DType()] += w.Bytes()
	}
	types := make([]string, 0, len(bytes))
	for t := range bytes {
		types = append(types, t)
	}
	sort.Slice(types, func(i, j int) bool {
		if bytes[types[i]] != bytes[types[j]] {
			return bytes[types[i]] > bytes[types[j]]
		}
		return types[i] < types[j]
	})
	return strings.Join(types, "+")
}

// Quantize converts every weight matrix at load to "q8_0", "q4_0" or
// "q4_k" with llama.cpp's rules (the bytes llama-quantize would write for
// the same weights), computed exactly on the int8 kernels; "int8" is
// q8_0. q4_k needs widths that are multiples of 256 (its super-blocks). Logits
// then differ from the original model's by the quantization error. The
// checkpoint's memory is released when nothing else refers to it.
//
// With fast, the blocks stay as llama-quantize writes them where the
// kernels have integer kernels for them, as a file's would (blocksMatrix),
// and are computed in the fast tier.
func (m *Model) Quantize(format string, fast bool) error {
	t, ok := map[string]gguf.Type{"q8_0": gguf.Q8_0, "int8": gguf.Q8_0, "q4_0": gguf.Q4_0, "q4_k": gguf.Q4_K}[format]
	if !ok {
		return fmt.Errorf("quantizing to %q is not supported (q8_0, q4_0, q4_k; int8 = q8_0)", format)
	}
	mats := m.matrices()
	for _, w := range mats {
		if w.Cols%t.BlockSize() != 0 {
			return fmt.Errorf("quantizing to %s: a %d×%d weight matrix is not whole %d-value blocks (%s needs widths that are multiples of %d)",
				format, w.Rows, w.Cols, t.BlockSize(), format, t.BlockSize())
		}
	}
	errs := make([]error, len(mats))
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(m.pool.Threads(), 1))
	for i, w := range mats {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			q, err := quantizeMat(w, t, fast)
			if err != nil {
				errs[i] = fmt.Errorf("quantize: %w", err)
				return
			}
			*w = q
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if m.Config.TiedHead {
		m.Head = m.Embed
	}
	m.Format = strings.ToUpper(format) + " (quantized at load)"
	if !m.views && m.closer != nil {
		err := m.closer()
		m.closer = nil
		return err
	}
	return nil
}

// quantizeMat encodes a matrix's rows as blocks of t and holds them as a
// file's blocks of t are held (blocksMatrix): as stored in the fast tier
// where the kernels compute them so, else exactly (int8, affine, 4-bit).
func quantizeMat(w *kernels.Mat, t gguf.Type, fast bool) (kernels.Mat, error) {
	if w.Cols%t.BlockSize() != 0 {
		return kernels.Mat{}, fmt.Errorf("%d columns is not a multiple of %s's %d", w.Cols, t, t.BlockSize())
	}
	row := make([]float32, w.Cols)
	rowBytes := w.Cols / t.BlockSize() * t.BlockBytes()
	blocks := make([]byte, w.Rows*rowBytes)
	for r := 0; r < w.Rows; r++ {
		w.Row(row, r)
		if err := gguf.Quantize(t, row, blocks[r*rowBytes:(r+1)*rowBytes]); err != nil {
			return kernels.Mat{}, err
		}
	}
	return blocksMatrix(t, blocks, w.Rows, w.Cols, fast)
}

// WeightReadRate is a plain read, with the model's threads and the kernel
// family's widest loads, of the weight arrays a decode step reads (those
// of WeightBytes, where they lie), best of passes, in bytes per second:
// the bound of decode's weight streaming on this machine at this moment,
// cheap enough to take between decode steps (a step's time a pass), and
// with no buffer of its own to inflate the process's memory.
func (m *Model) WeightReadRate(passes int) float64 {
	var spans [][]byte
	var n int64
	for _, w := range append(m.matrices()[1:], &m.Head) {
		for _, b := range w.Spans() {
			spans = append(spans, b)
			n += int64(len(b))
		}
	}
	var best float64
	for range passes {
		t0 := time.Now()
		m.pool.StreamReadSpans(spans)
		best = max(best, float64(n)/time.Since(t0).Seconds())
	}
	return best
}

// ReadBandwidth measures the memory read bandwidth decode is bounded by:
// the model's threads read a buffer of the given size (far larger than
// the caches) with the kernel family's widest loads, best of passes, in
// bytes per second. One word of each 4 KiB page is written first so that
// every page exists (unwritten pages would all read the kernel's one zero
// page, from cache); writing every word cost more than the reads.
func (m *Model) ReadBandwidth(size int64, passes int) float64 {
	buf := make([]uint64, size/8)
	for i := 0; i < len(buf); i += 4096 / 8 {
		buf[i] = uint64(i) | 1
	}
	var best float64
	for range passes {
		t0 := time.Now()
		m.pool.StreamRead(buf)
		best = max(best, float64(len(buf)*8)/time.Since(t0).Seconds())
	}
	return best
}
