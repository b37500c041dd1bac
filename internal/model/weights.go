package model

import "github.com/lfm2go/lfm2/internal/kernels"

// The checkpoint layout is read here and only here. A field tagged
// `tensor:"NAME" shape:"DIMS"` is bound to the tensor called prefix+NAME,
// whose shape must equal DIMS (comma-separated; each a product of numbers and
// the names in dims below). A pointer-to-struct field tagged
// `prefix:"P"` is bound recursively with prefix+P when it is non-nil.

// Model is a loaded LFM2 network. Forward is not safe for concurrent use:
// the model owns the scratch buffers of one forward pass.
type Model struct {
	Config *Config
	// Format names the file format the weights came from ("GGUF Q4_K_M
	// (Q4_K, Q6_K)"); empty for safetensors, whose dtype DType gives.
	Format string

	Embed     kernels.Mat `tensor:"model.embed_tokens.weight" shape:"vocab,hidden"`
	FinalNorm []float32   `tensor:"model.embedding_norm.weight" shape:"hidden"`
	Layers    []Layer
	// Head is the LM head: lm_head.weight when untied, else Embed.
	Head kernels.Mat

	pool    *kernels.Pool
	rope    ropeTable
	scratch scratch
	closer  func() error // releases the checkpoint's memory
	views   bool         // vector fields alias checkpoint memory
	kvF16   bool         // caches made for it hold K and V in f16 (UseF16KV)
}

// Layer is one decoder layer: a pre-norm mixer (exactly one of Conv and
// Attn) and a pre-norm SwiGLU feed-forward, each with a residual.
type Layer struct {
	Kind         LayerKind
	OperatorNorm []float32  `tensor:"operator_norm.weight" shape:"hidden"`
	FFNNorm      []float32  `tensor:"ffn_norm.weight" shape:"hidden"`
	FFN          *FFN       `prefix:"feed_forward."`
	Conv         *ShortConv `prefix:"conv."`
	Attn         *Attention `prefix:"self_attn."`
	// CacheIndex numbers this layer among the layers of its kind: its conv
	// state or KV slot in the cache.
	CacheIndex int
}

// FFN is w2 · (silu(w1·x) ⊙ w3·x).
type FFN struct {
	W1 kernels.Mat `tensor:"w1.weight" shape:"ff,hidden"` // gate
	W3 kernels.Mat `tensor:"w3.weight" shape:"ff,hidden"` // up
	W2 kernels.Mat `tensor:"w2.weight" shape:"hidden,ff"` // down
}

// ShortConv is LFM2's gated short convolution (SPEC §3.4).
type ShortConv struct {
	InProj  kernels.Mat `tensor:"in_proj.weight" shape:"3*hidden,hidden"` // rows: B, C, X
	Kernel  []float32   `tensor:"conv.weight" shape:"hidden,1,L"`         // [channel][tap], tap L-1 = current token
	OutProj kernels.Mat `tensor:"out_proj.weight" shape:"hidden,hidden"`
	// Taps is Kernel tap-major ([tap][channel]), the layout in which the
	// convolution runs along channels with vector loads.
	Taps []float32
}

// Attention is grouped-query attention with per-head RMSNorm on q and k.
type Attention struct {
	Q     kernels.Mat `tensor:"q_proj.weight" shape:"q,hidden"`
	K     kernels.Mat `tensor:"k_proj.weight" shape:"kv,hidden"`
	V     kernels.Mat `tensor:"v_proj.weight" shape:"kv,hidden"`
	Out   kernels.Mat `tensor:"out_proj.weight" shape:"hidden,q"`
	QNorm []float32   `tensor:"q_layernorm.weight" shape:"head"`
	KNorm []float32   `tensor:"k_layernorm.weight" shape:"head"`
}

// untiedHead is bound only when the config unties the LM head.
type untiedHead struct {
	W kernels.Mat `tensor:"lm_head.weight" shape:"vocab,hidden"`
}

// dims gives the symbolic dimensions used in shape tags.
func (c *Config) dims() map[string]int {
	return map[string]int{
		"vocab":  c.VocabSize,
		"hidden": c.Hidden,
		"ff":     c.FFN,
		"q":      c.Heads * c.HeadDim,
		"kv":     c.KVHeads * c.HeadDim,
		"head":   c.HeadDim,
		"L":      c.ConvL,
	}
}
