package model

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unsafe"

	"github.com/lfm2go/lfm2/internal/gguf"
	"github.com/lfm2go/lfm2/internal/kernels"
)

// LoadGGUF opens an LFM2 model from a GGUF file alone: the config from its
// lfm2.* metadata, the weights by their GGUF names (BF16 and F16 in place,
// the other types copied into the kernels' forms: blocksMatrix).
//
// fast selects the fast tier: Q4_0, Q8_0 and the K-quants stay as stored
// where the kernel family has integer kernels for them, computed on int8
// activations (kernels/q4.go, q8panels.go, kquant.go); otherwise every type
// is computed exactly on float32 activations.
func LoadGGUF(path string, threads int, fast bool) (*Model, error) {
	g, err := gguf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	cfg, err := ConfigFromGGUF(g)
	if err != nil {
		g.Close()
		return nil, fmt.Errorf("load model %s: %w", path, err)
	}
	src := newGGUFSource(g)
	src.fast = fast
	m, err := fromSource(cfg, src, threads)
	if err != nil {
		g.Close()
		return nil, fmt.Errorf("load model %s: %w", path, err)
	}
	m.closer = g.Close
	m.views = true
	m.Format = ggufFormat(g)
	return m, nil
}

// GGUFQuantized reports whether a GGUF file holds quantized weight
// matrices (any 2-D tensor not F32, F16 or BF16): what makes the fast tier
// its default.
func GGUFQuantized(path string) (bool, error) {
	g, err := gguf.Open(path)
	if err != nil {
		return false, fmt.Errorf("load model: %w", err)
	}
	defer g.Close()
	for _, t := range g.Tensors {
		if len(t.Dims) == 2 && t.Type != gguf.F32 && t.Type != gguf.F16 && t.Type != gguf.BF16 {
			return true, nil
		}
	}
	return false, nil
}

// llama.cpp's file types (general.file_type), by the name users know them by.
var fileTypes = map[uint64]string{0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1",
	10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K",
	21: "Q2_K_S", 25: "IQ4_NL", 30: "IQ4_XS", 32: "BF16"}

// ggufFormat names a GGUF file's type and the tensor types it holds.
func ggufFormat(g *gguf.File) string {
	name := "mixed"
	if ft, ok := g.Uint("general.file_type"); ok && fileTypes[ft] != "" {
		name = fileTypes[ft]
	}
	seen := map[string]bool{}
	var kinds []string
	for _, t := range g.Tensors {
		if len(t.Dims) == 2 && t.Type != gguf.F32 && !seen[t.Type.String()] { // (F32: conv taps)
			seen[t.Type.String()] = true
			kinds = append(kinds, t.Type.String())
		}
	}
	return fmt.Sprintf("GGUF %s (%s)", name, strings.Join(kinds, ", "))
}

// ConfigFromGGUF builds the config from a GGUF file's metadata, through
// the same resolution and checks as config.json.
func ConfigFromGGUF(g *gguf.File) (*Config, error) {
	arch, _ := g.String("general.architecture")
	if arch != "lfm2" {
		if arch == "" {
			arch = "unknown"
		}
		return nil, fmt.Errorf("the GGUF file's architecture is %q; lfm2 runs LFM2 models", arch)
	}
	num := func(key string) (uint64, error) {
		v, ok := g.Uint("lfm2." + key)
		if !ok {
			return 0, fmt.Errorf("metadata lfm2.%s is missing or not an integer", key)
		}
		return v, nil
	}
	c := map[string]any{"model_type": "lfm2", "block_auto_adjust_ff_dim": false}
	for key, field := range map[string]string{"embedding_length": "hidden_size", "block_count": "num_hidden_layers",
		"attention.head_count": "num_attention_heads", "feed_forward_length": "intermediate_size", "context_length": "max_position_embeddings"} {
		v, err := num(key)
		if err != nil {
			return nil, err
		}
		c[field] = v
	}
	if v, ok := g.Uint("lfm2.shortconv.l_cache"); ok {
		c["conv_L_cache"] = v
	}
	if v, ok := g.Float("lfm2.rope.freq_base"); ok {
		c["rope_theta"] = v
	}
	if v, ok := g.Float("lfm2.attention.layer_norm_rms_epsilon"); ok {
		c["norm_eps"] = v
	}
	// Per-layer KV heads: 0 marks a conv layer. A scalar means every layer
	// is attention.
	layers := c["num_hidden_layers"].(uint64)
	var kvHeads uint64
	var types []string
	if arr, ok := g.Array("lfm2.attention.head_count_kv"); ok {
		if uint64(len(arr)) != layers {
			return nil, fmt.Errorf("lfm2.attention.head_count_kv has %d entries for %d layers", len(arr), layers)
		}
		for i, v := range arr {
			n, ok := gguf.AsUint(v)
			if !ok {
				return nil, fmt.Errorf("lfm2.attention.head_count_kv[%d] is not an integer", i)
			}
			if n == 0 {
				types = append(types, "conv")
				continue
			}
			if kvHeads != 0 && n != kvHeads {
				return nil, fmt.Errorf("lfm2.attention.head_count_kv varies between layers (%d and %d)", kvHeads, n)
			}
			kvHeads = n
			types = append(types, "full_attention")
		}
	} else if n, ok := g.Uint("lfm2.attention.head_count_kv"); ok {
		kvHeads = n
	}
	if kvHeads == 0 {
		kvHeads = c["num_attention_heads"].(uint64) // no attention layer: any divisor will do
	}
	c["num_key_value_heads"] = kvHeads
	if types != nil {
		c["layer_types"] = types
	}
	vocab := uint64(0)
	if emb := g.Tensor("token_embd.weight"); emb != nil && len(emb.Dims) == 2 {
		vocab = uint64(emb.Dims[1])
	}
	if v, ok := g.Uint("lfm2.vocab_size"); ok {
		vocab = v
	}
	c["vocab_size"] = vocab
	for key, field := range map[string]string{"bos_token_id": "bos_token_id", "eos_token_id": "eos_token_id", "padding_token_id": "pad_token_id"} {
		if v, ok := g.Uint("tokenizer.ggml." + key); ok {
			c[field] = v
		}
	}
	c["tie_embedding"] = g.Tensor("output.weight") == nil
	js, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	return ParseConfig(js)
}

// ggufSource reads a GGUF file under Hugging Face names.
type ggufSource struct {
	g     *gguf.File
	names map[string]*gguf.Tensor // HF name → tensor
	fast  bool                    // the fast tier: blocks stay as stored where the kernels compute them so (blocksMatrix)
}

// ggufNames maps llama.cpp's LFM2 tensor names to Hugging Face's.
var (
	ggufLayerName = regexp.MustCompile(`^blk\.(\d+)\.(.+)$`)
	ggufGlobal    = map[string]string{
		"token_embd.weight":      "model.embed_tokens.weight",
		"token_embd_norm.weight": "model.embedding_norm.weight",
		"output_norm.weight":     "model.embedding_norm.weight",
		"output.weight":          "lm_head.weight",
	}
	ggufPerLayer = map[string]string{
		"attn_norm.weight":          "operator_norm.weight",
		"ffn_norm.weight":           "ffn_norm.weight",
		"ffn_gate.weight":           "feed_forward.w1.weight",
		"ffn_up.weight":             "feed_forward.w3.weight",
		"ffn_down.weight":           "feed_forward.w2.weight",
		"shortconv.conv.weight":     "conv.conv.weight",
		"shortconv.in_proj.weight":  "conv.in_proj.weight",
		"shortconv.out_proj.weight": "conv.out_proj.weight",
		"attn_q.weight":             "self_attn.q_proj.weight",
		"attn_k.weight":             "self_attn.k_proj.weight",
		"attn_v.weight":             "self_attn.v_proj.weight",
		"attn_output.weight":        "self_attn.out_proj.weight",
		"attn_q_norm.weight":        "self_attn.q_layernorm.weight",
		"attn_k_norm.weight":        "self_attn.k_layernorm.weight",
	}
)

// hfName translates a GGUF tensor name (unknown names pass through, so the
// binder reports them as unexpected).
func hfName(name string) string {
	if n, ok := ggufGlobal[name]; ok {
		return n
	}
	if m := ggufLayerName.FindStringSubmatch(name); m != nil {
		if n, ok := ggufPerLayer[m[2]]; ok {
			i, _ := strconv.Atoi(m[1])
			return fmt.Sprintf("model.layers.%d.%s", i, n)
		}
	}
	return name
}

func newGGUFSource(g *gguf.File) *ggufSource {
	s := &ggufSource{g: g, names: map[string]*gguf.Tensor{}}
	for _, t := range g.Tensors {
		s.names[hfName(t.Name)] = t
	}
	return s
}

func (s *ggufSource) Names() []string {
	out := make([]string, 0, len(s.names))
	for n := range s.names {
		out = append(out, n)
	}
	return out
}

func (s *ggufSource) DataBytes() int64 {
	var n int64
	for _, t := range s.g.Tensors {
		n += t.Size
	}
	return n
}

func (s *ggufSource) MinBytesPerWeight() float64 {
	least := 4.0
	for _, t := range s.g.Tensors {
		least = min(least, float64(t.Type.BlockBytes())/float64(t.Type.BlockSize()))
	}
	return least
}

// Shape is the tensor's shape in Hugging Face's order (GGUF lists the
// fastest dimension first); the conv taps get back their middle 1.
func (s *ggufSource) Shape(name string) ([]int, bool) {
	t := s.names[name]
	if t == nil {
		return nil, false
	}
	shape := make([]int, len(t.Dims))
	for i, d := range t.Dims {
		shape[len(t.Dims)-1-i] = d
	}
	if strings.HasSuffix(name, ".conv.conv.weight") && len(shape) == 2 {
		shape = []int{shape[0], 1, shape[1]}
	}
	return shape, true
}

func (s *ggufSource) Matrix(name string, rows, cols int) (kernels.Mat, error) {
	t := s.names[name]
	raw := t.Bytes()
	switch t.Type { // the 16-bit floats are used in place: the only types not copied
	case gguf.BF16:
		return kernels.NewMatBF16(rows, cols, unsafe.Slice((*uint16)(unsafe.Pointer(unsafe.SliceData(raw))), len(raw)/2))
	case gguf.F16:
		return kernels.NewMatF16(rows, cols, unsafe.Slice((*uint16)(unsafe.Pointer(unsafe.SliceData(raw))), len(raw)/2))
	}
	// The other types are copied into the kernels' forms: the file's pages
	// are not needed in memory after that (peak RSS ≈ the model once).
	defer s.g.Release(t)
	m, err := blocksMatrix(t.Type, raw, rows, cols, s.fast)
	if err != nil {
		return kernels.Mat{}, fmt.Errorf("%s: %w", t.Name, err)
	}
	return m, nil
}

// heldAsStored reports whether the fast tier keeps blocks of type t, in a
// matrix cols wide, as they are stored: where the kernel family computes
// them so (elsewhere the exact forms are faster), at widths its panels
// take.
func heldAsStored(t gguf.Type, cols int) bool {
	switch t {
	case gguf.Q4_0:
		return kernels.Q4Native() && cols%32 == 0
	case gguf.Q8_0:
		return kernels.Q8PanelsNative() && cols%kernels.KQuantBlock == 0
	case gguf.Q4_K, gguf.Q5_K, gguf.Q6_K:
		return kernels.KQuantNative() && cols%kernels.KQuantBlock == 0
	}
	return false
}

// blocksMatrix holds a tensor's blocks of type t (a file's, or quantized
// at load) in the kernels' forms: with fast as stored where heldAsStored
// says so; else exactly — K-quants, Q4_1, Q5_1 affine (4-bit where the
// family has those kernels), Q8_0, Q4_0, Q5_0, IQ4_NL, IQ4_XS int8 with a
// scale per 32 (Q4_0 4-bit likewise), the rest float32.
func blocksMatrix(t gguf.Type, raw []byte, rows, cols int, fast bool) (kernels.Mat, error) {
	if fast && heldAsStored(t, cols) {
		switch t {
		case gguf.Q4_0:
			return kernels.NewMatQ4(rows, cols, raw)
		case gguf.Q8_0:
			return kernels.NewMatQ8Panels(rows, cols, raw)
		}
		return kquantMatrix(t, kquantFormats[t], raw, rows, cols)
	}
	switch t {
	case gguf.Q2_K, gguf.Q3_K, gguf.Q4_K, gguf.Q5_K, gguf.Q6_K, gguf.Q4_1, gguf.Q5_1:
		return affineMatrix(t, raw, rows, cols, kernels.Q4AffineNative())
	case gguf.Q8_0, gguf.Q4_0, gguf.Q5_0, gguf.IQ4_NL, gguf.IQ4_XS:
		q := make([]int8, rows*cols)
		sc := make([]float32, rows*cols/32)
		if err := gguf.Int8Blocks(t, raw, q, sc); err != nil {
			return kernels.Mat{}, err
		}
		m, err := kernels.NewMatQ8(rows, cols, q, sc)
		if err != nil || !kernels.Q4AffineNative() || t != gguf.Q4_0 {
			return m, err
		}
		if m4, ok := kernels.PackQ4Affine(&m); ok {
			return m4, nil // Q4_0's nibbles with its scales: the same weights
		}
		return m, nil
	}
	f := make([]float32, rows*cols)
	if err := gguf.Dequantize(t, raw, f); err != nil {
		return kernels.Mat{}, err
	}
	return kernels.NewMatF32(rows, cols, f)
}

// kquantFormats are the kernels' formats of the GGUF K-quants.
var kquantFormats = map[gguf.Type]kernels.Format{gguf.Q4_K: kernels.FormatQ4K, gguf.Q5_K: kernels.FormatQ5K, gguf.Q6_K: kernels.FormatQ6K}

// kquantMatrix holds K-quant blocks of type t as they are
// (kernels.NewMatKQuant), taking the rows apart a panel at a time.
func kquantMatrix(t gguf.Type, f kernels.Format, raw []byte, rows, cols int) (kernels.Mat, error) {
	rowBytes := cols / kernels.KQuantBlock * t.BlockBytes()
	return kernels.NewMatKQuant(f, rows, cols, func(r0, n int, q []uint8, d, dmin []uint16, scales []int8, mins []uint8) error {
		return gguf.KQuantParts(t, raw[r0*rowBytes:(r0+n)*rowBytes], q, d, dmin, scales, mins)
	})
}

// affineMatrix holds K-quant (or Q4_1, Q5_1) blocks exactly in the affine
// forms the float-activation kernels compute on: int8 with a scale and an
// offset per 16, or, with q4, 4-bit where the values fit.
func affineMatrix(t gguf.Type, raw []byte, rows, cols int, q4 bool) (kernels.Mat, error) {
	q := make([]int8, rows*cols)
	a := make([]float32, rows*cols/32*kernels.AffineFloats)
	if err := gguf.AffineBlocks(t, raw, q, a); err != nil {
		return kernels.Mat{}, err
	}
	m, err := kernels.NewMatQ8Affine(rows, cols, q, a)
	if err != nil || !q4 {
		return m, err
	}
	if m4, ok := kernels.PackQ4Affine(&m); ok {
		return m4, nil // half the bytes, the same weights
	}
	return m, nil
}

func (s *ggufSource) Floats(name string) ([]float32, bool, error) {
	t := s.names[name]
	f := make([]float32, t.Elements())
	if err := gguf.Dequantize(t.Type, t.Bytes(), f); err != nil {
		return nil, false, fmt.Errorf("%s: %w", t.Name, err)
	}
	return f, false, nil
}
