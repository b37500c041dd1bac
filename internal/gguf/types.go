package gguf

import (
	"fmt"
	"strings"
)

// Type is a tensor element type (ggml_type).
type Type uint32

// The types this package reads. Others are refused by name.
const (
	F32  Type = 0
	F16  Type = 1
	Q4_0 Type = 2
	Q4_1 Type = 3
	Q5_0 Type = 6
	Q5_1 Type = 7
	Q8_0 Type = 8
	Q2_K Type = 10
	Q3_K Type = 11
	Q4_K Type = 12
	Q5_K Type = 13
	Q6_K Type = 14
	Q8_K Type = 15
	// IQ4_NL and IQ4_XS are 4-bit indices into a fixed table of 16 int8
	// values (kvaluesIQ4), with a scale per 32.
	IQ4_NL Type = 20
	IQ4_XS Type = 23
	BF16   Type = 30
)

// typeInfo is a type's block layout: elements per block and bytes per block.
type typeInfo struct {
	name   string
	block  int
	bytes  int
	decode bool // Dequantize supports it
}

var types = map[Type]typeInfo{
	F32:    {"F32", 1, 4, true},
	F16:    {"F16", 1, 2, true},
	BF16:   {"BF16", 1, 2, true},
	Q4_0:   {"Q4_0", 32, 18, true},
	Q4_1:   {"Q4_1", 32, 20, true},
	Q5_0:   {"Q5_0", 32, 22, true},
	Q5_1:   {"Q5_1", 32, 24, true},
	Q8_0:   {"Q8_0", 32, 34, true},
	Q2_K:   {"Q2_K", 256, 84, true},
	Q3_K:   {"Q3_K", 256, 110, true},
	Q4_K:   {"Q4_K", 256, 144, true},
	Q5_K:   {"Q5_K", 256, 176, true},
	Q6_K:   {"Q6_K", 256, 210, true},
	Q8_K:   {"Q8_K", 256, 292, false},
	IQ4_NL: {"IQ4_NL", 32, 18, true},
	IQ4_XS: {"IQ4_XS", 256, 136, true},
}

// otherTypes are ggml's types this package does not read, by name, so a
// file holding one is refused with the name its user knows.
var otherTypes = map[Type]string{9: "Q8_1", 16: "IQ2_XXS", 17: "IQ2_XS", 18: "IQ3_XXS", 19: "IQ1_S",
	21: "IQ3_S", 22: "IQ2_S", 24: "I8", 25: "I16", 26: "I32", 27: "I64", 28: "F64", 29: "IQ1_M",
	34: "TQ1_0", 35: "TQ2_0", 39: "MXFP4", 40: "NVFP4", 41: "Q1_0", 42: "Q2_0"}

// String names the type as llama.cpp does.
func (t Type) String() string {
	if i, ok := types[t]; ok {
		return i.name
	}
	if n, ok := otherTypes[t]; ok {
		return n
	}
	return fmt.Sprintf("type %d", uint32(t))
}

// BlockSize is the number of elements one block holds.
func (t Type) BlockSize() int { return types[t].block }

// BlockBytes is the size of one block in bytes.
func (t Type) BlockBytes() int { return types[t].bytes }

// Known reports whether the type's layout is known.
func (t Type) Known() bool {
	_, ok := types[t]
	return ok
}

// unsupportedType says that t cannot be read, naming it where ggml does and
// listing the types that can.
func unsupportedType(t Type) string {
	var read []string
	for _, k := range []Type{F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS} {
		read = append(read, k.String())
	}
	name := fmt.Sprintf("unknown type %d", uint32(t))
	if n, ok := otherTypes[t]; ok {
		name = fmt.Sprintf("type %s (%d) is not supported", n, uint32(t))
	}
	return name + "; lfm2 reads " + strings.Join(read, ", ")
}
