// Package kernels holds every numeric loop of the engine: matrix products
// against bf16 or f32 weights, RMSNorm, SwiGLU, RoPE, softmax, attention over a
// paged KV span and the depthwise causal convolution.
//
// Each op has a pure-Go version, which is the specification and the fallback
// (build tag purego forces it), and may have assembly versions chosen once at
// start-up by CPU feature. It imports nothing else of this module.
//
// Batch invariance is a contract of every kernel: the value computed for one
// row never depends on which other rows share the call, so a sequence's
// logits are bit-identical whether it runs alone or in a batch.
package kernels
