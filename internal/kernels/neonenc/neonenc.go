// Package neonenc encodes the arm64 vector instructions the kernels need
// and Go's assembler does not know (vector FADD, FMUL, SDOT, BFDOT, …).
// The kernels emit them with WORD; the macros that compute those words
// from register numbers are generated from the encoding table below into
// ../neon_arm64.h (go generate), and a test checks every entry against
// GNU as, an independent assembler.
//
// Each entry's pattern is the instruction's encoding diagram as the Arm
// Architecture Reference Manual draws it, most significant bit first:
// 0 and 1 are fixed bits, d, n and m the bits of the Rd, Rn and Rm
// register fields (five each). Nothing here is a hand-copied opcode.
package neonenc

import (
	"fmt"
	"strings"
)

// Inst is one instruction form.
type Inst struct {
	Macro   string // the assembler macro's name
	Pattern string // 32 characters: 0, 1, d, n, m (spaces ignored)
	// GNU is the instruction in GNU syntax with %d, %n, %m for the
	// register numbers, for the test against GNU as.
	GNU string
	// Arch is the -march GNU as needs for it.
	Arch string
	Doc  string
}

// Table is every instruction the arm64 kernels encode by hand.
var Table = []Inst{
	{"FADD_4S", "0 1 0 0 1 1 1 0 0 0 1 mmmmm 1 1 0 1 0 1 nnnnn ddddd", "fadd v%d.4s, v%n.4s, v%m.4s", "armv8-a", "Vd = Vn + Vm, four f32 lanes"},
	{"FSUB_4S", "0 1 0 0 1 1 1 0 1 0 1 mmmmm 1 1 0 1 0 1 nnnnn ddddd", "fsub v%d.4s, v%n.4s, v%m.4s", "armv8-a", "Vd = Vn − Vm, four f32 lanes"},
	{"FMUL_4S", "0 1 1 0 1 1 1 0 0 0 1 mmmmm 1 1 0 1 1 1 nnnnn ddddd", "fmul v%d.4s, v%n.4s, v%m.4s", "armv8-a", "Vd = Vn × Vm, four f32 lanes"},
	{"FADDP_4S", "0 1 1 0 1 1 1 0 0 0 1 mmmmm 1 1 0 1 0 1 nnnnn ddddd", "faddp v%d.4s, v%n.4s, v%m.4s", "armv8-a", "pairwise sums: Vd = (n0+n1, n2+n3, m0+m1, m2+m3)"},
	{"FADD_2D", "0 1 0 0 1 1 1 0 0 1 1 mmmmm 1 1 0 1 0 1 nnnnn ddddd", "fadd v%d.2d, v%n.2d, v%m.2d", "armv8-a", "Vd = Vn + Vm, two f64 lanes"},
	{"FMUL_2D", "0 1 1 0 1 1 1 0 0 1 1 mmmmm 1 1 0 1 1 1 nnnnn ddddd", "fmul v%d.2d, v%n.2d, v%m.2d", "armv8-a", "Vd = Vn × Vm, two f64 lanes"},
	{"FCVTL_2D", "0 0 0 0 1 1 1 0 0 1 1 0 0 0 0 1 0 1 1 1 1 0 nnnnn ddddd", "fcvtl v%d.2d, v%n.2s", "armv8-a", "Vd = f64 of the low two f32 lanes of Vn"},
	{"FCVTL2_2D", "0 1 0 0 1 1 1 0 0 1 1 0 0 0 0 1 0 1 1 1 1 0 nnnnn ddddd", "fcvtl2 v%d.2d, v%n.4s", "armv8-a", "Vd = f64 of the high two f32 lanes of Vn"},
	{"FCVTL_4S", "0 0 0 0 1 1 1 0 0 0 1 0 0 0 0 1 0 1 1 1 1 0 nnnnn ddddd", "fcvtl v%d.4s, v%n.4h", "armv8-a", "Vd = f32 of the low four f16 lanes of Vn"},
	{"FCVTL2_4S", "0 1 0 0 1 1 1 0 0 0 1 0 0 0 0 1 0 1 1 1 1 0 nnnnn ddddd", "fcvtl2 v%d.4s, v%n.8h", "armv8-a", "Vd = f32 of the high four f16 lanes of Vn"},
	{"SHLL_4S", "0 0 1 0 1 1 1 0 0 1 1 0 0 0 0 1 0 0 1 1 1 0 nnnnn ddddd", "shll v%d.4s, v%n.4h, #16", "armv8-a", "Vd = the low four u16 lanes of Vn shifted into the high halves of u32 lanes (bf16 → f32)"},
	{"SHLL2_4S", "0 1 1 0 1 1 1 0 0 1 1 0 0 0 0 1 0 0 1 1 1 0 nnnnn ddddd", "shll2 v%d.4s, v%n.8h, #16", "armv8-a", "as SHLL_4S, from the high four u16 lanes"},
	{"FDIV_4S", "0 1 1 0 1 1 1 0 0 0 1 mmmmm 1 1 1 1 1 1 nnnnn ddddd", "fdiv v%d.4s, v%n.4s, v%m.4s", "armv8-a", "Vd = Vn ÷ Vm, four f32 lanes"},
	{"FMAX_4S", "0 1 0 0 1 1 1 0 0 0 1 mmmmm 1 1 1 1 0 1 nnnnn ddddd", "fmax v%d.4s, v%n.4s, v%m.4s", "armv8-a", "Vd = max(Vn, Vm), four f32 lanes"},
	{"FMIN_4S", "0 1 0 0 1 1 1 0 1 0 1 mmmmm 1 1 1 1 0 1 nnnnn ddddd", "fmin v%d.4s, v%n.4s, v%m.4s", "armv8-a", "Vd = min(Vn, Vm), four f32 lanes"},
	{"FNEG_4S", "0 1 1 0 1 1 1 0 1 0 1 0 0 0 0 0 1 1 1 1 1 0 nnnnn ddddd", "fneg v%d.4s, v%n.4s", "armv8-a", "Vd = −Vn, four f32 lanes"},
	{"FABS_4S", "0 1 0 0 1 1 1 0 1 0 1 0 0 0 0 0 1 1 1 1 1 0 nnnnn ddddd", "fabs v%d.4s, v%n.4s", "armv8-a", "Vd = |Vn|, four f32 lanes"},
	{"FMAXV_4S", "0 1 1 0 1 1 1 0 0 0 1 1 0 0 0 0 1 1 1 1 1 0 nnnnn ddddd", "fmaxv s%d, v%n.4s", "armv8-a", "Sd = the largest of Vn's four f32 lanes (NaN if one is)"},
	{"FMLA_4S", "0 1 0 0 1 1 1 0 0 0 1 mmmmm 1 1 0 0 1 1 nnnnn ddddd", "fmla v%d.4s, v%n.4s, v%m.4s", "armv8-a", "Vd += Vn × Vm, fused, four f32 lanes"},
	{"FMLS_4S", "0 1 0 0 1 1 1 0 1 0 1 mmmmm 1 1 0 0 1 1 nnnnn ddddd", "fmls v%d.4s, v%n.4s, v%m.4s", "armv8-a", "Vd −= Vn × Vm, fused, four f32 lanes"},
	{"ADD_4S", "0 1 0 0 1 1 1 0 1 0 1 mmmmm 1 0 0 0 0 1 nnnnn ddddd", "add v%d.4s, v%n.4s, v%m.4s", "armv8-a", "Vd = Vn + Vm, four int32 lanes"},
	{"ORR_16B", "0 1 0 0 1 1 1 0 1 0 1 mmmmm 0 0 0 1 1 1 nnnnn ddddd", "orr v%d.16b, v%n.16b, v%m.16b", "armv8-a", "Vd = Vn | Vm (ORR_16B(d, n, n) is MOV)"},
	{"SHL23_4S", "0 1 0 0 1 1 1 1 0 0 1 1 0 1 1 1 0 1 0 1 0 1 nnnnn ddddd", "shl v%d.4s, v%n.4s, #23", "armv8-a", "Vd = Vn << 23, four 32-bit lanes (an integer into a float's exponent field)"},
	{"FCMGT_4S", "0 1 1 0 1 1 1 0 1 0 1 mmmmm 1 1 1 0 0 1 nnnnn ddddd", "fcmgt v%d.4s, v%n.4s, v%m.4s", "armv8-a", "lane i of Vd = all ones if Vn > Vm (false for NaN), else 0"},
	{"FRINTN_4S", "0 1 0 0 1 1 1 0 0 0 1 0 0 0 0 1 1 0 0 0 1 0 nnnnn ddddd", "frintn v%d.4s, v%n.4s", "armv8-a", "Vd = Vn rounded to the nearest integer, ties to even"},
	{"FCVTZS_4S", "0 1 0 0 1 1 1 0 1 0 1 0 0 0 0 1 1 0 1 1 1 0 nnnnn ddddd", "fcvtzs v%d.4s, v%n.4s", "armv8-a", "Vd = the f32 lanes of Vn as int32, rounded toward zero"},
	{"SXTL_8H", "0 0 0 0 1 1 1 1 0 0 0 0 1 0 0 0 1 0 1 0 0 1 nnnnn ddddd", "sxtl v%d.8h, v%n.8b", "armv8-a", "Vd = the low eight int8 lanes of Vn sign-extended to int16"},
	{"SXTL2_8H", "0 1 0 0 1 1 1 1 0 0 0 0 1 0 0 0 1 0 1 0 0 1 nnnnn ddddd", "sxtl2 v%d.8h, v%n.16b", "armv8-a", "as SXTL_8H, from the high eight"},
	{"SXTL_4S", "0 0 0 0 1 1 1 1 0 0 0 1 0 0 0 0 1 0 1 0 0 1 nnnnn ddddd", "sxtl v%d.4s, v%n.4h", "armv8-a", "Vd = the low four int16 lanes of Vn sign-extended to int32"},
	{"SXTL2_4S", "0 1 0 0 1 1 1 1 0 0 0 1 0 0 0 0 1 0 1 0 0 1 nnnnn ddddd", "sxtl2 v%d.4s, v%n.8h", "armv8-a", "as SXTL_4S, from the high four"},
	{"SCVTF_4S", "0 1 0 0 1 1 1 0 0 0 1 0 0 0 0 1 1 1 0 1 1 0 nnnnn ddddd", "scvtf v%d.4s, v%n.4s", "armv8-a", "Vd = f32 of the int32 lanes of Vn"},
	{"SDOT_4S", "0 1 0 0 1 1 1 0 1 0 0 mmmmm 1 0 0 1 0 1 nnnnn ddddd", "sdot v%d.4s, v%n.16b, v%m.16b", "armv8.2-a+dotprod", "lane i of Vd += Σj<4 Vn.b[4i+j]·Vm.b[4i+j], signed (FEAT_DotProd)"},
	{"SDOT_4S_E0", "0 1 0 0 1 1 1 1 1 0 0 mmmmm 1 1 1 0 0 0 nnnnn ddddd", "sdot v%d.4s, v%n.16b, v%m.4b[0]", "armv8.2-a+dotprod", "lane i of Vd += Σj<4 Vn.b[4i+j]·Vm.b[j], signed: Vm's four int8 of element 0 against every lane (FEAT_DotProd)"},
	{"SDOT_4S_E1", "0 1 0 0 1 1 1 1 1 0 1 mmmmm 1 1 1 0 0 0 nnnnn ddddd", "sdot v%d.4s, v%n.16b, v%m.4b[1]", "armv8.2-a+dotprod", "as SDOT_4S_E0, Vm's element 1 (bytes 4–7)"},
	{"SDOT_4S_E2", "0 1 0 0 1 1 1 1 1 0 0 mmmmm 1 1 1 0 1 0 nnnnn ddddd", "sdot v%d.4s, v%n.16b, v%m.4b[2]", "armv8.2-a+dotprod", "as SDOT_4S_E0, Vm's element 2 (bytes 8–11)"},
	{"SDOT_4S_E3", "0 1 0 0 1 1 1 1 1 0 1 mmmmm 1 1 1 0 1 0 nnnnn ddddd", "sdot v%d.4s, v%n.16b, v%m.4b[3]", "armv8.2-a+dotprod", "as SDOT_4S_E0, Vm's element 3 (bytes 12–15)"},
	{"FMLA_4S_E0", "0 1 0 0 1 1 1 1 1 0 0 mmmmm 0 0 0 1 0 0 nnnnn ddddd", "fmla v%d.4s, v%n.4s, v%m.s[0]", "armv8-a", "Vd += Vn × element 0 of Vm, fused, four f32 lanes (FMLA by element)"},
	{"FMLA_4S_E1", "0 1 0 0 1 1 1 1 1 0 1 mmmmm 0 0 0 1 0 0 nnnnn ddddd", "fmla v%d.4s, v%n.4s, v%m.s[1]", "armv8-a", "as FMLA_4S_E0, element 1 of Vm"},
	{"FMLA_4S_E2", "0 1 0 0 1 1 1 1 1 0 0 mmmmm 0 0 0 1 1 0 nnnnn ddddd", "fmla v%d.4s, v%n.4s, v%m.s[2]", "armv8-a", "as FMLA_4S_E0, element 2 of Vm"},
	{"FMLA_4S_E3", "0 1 0 0 1 1 1 1 1 0 1 mmmmm 0 0 0 1 1 0 nnnnn ddddd", "fmla v%d.4s, v%n.4s, v%m.s[3]", "armv8-a", "as FMLA_4S_E0, element 3 of Vm"},
	{"MUL_4S", "0 1 0 0 1 1 1 0 1 0 1 mmmmm 1 0 0 1 1 1 nnnnn ddddd", "mul v%d.4s, v%n.4s, v%m.4s", "armv8-a", "Vd = Vn × Vm, four int32 lanes (the low 32 bits)"},
	{"BFDOT_4S", "0 1 1 0 1 1 1 0 0 1 0 mmmmm 1 1 1 1 1 1 nnnnn ddddd", "bfdot v%d.4s, v%n.8h, v%m.8h", "armv8.6-a+bf16", "lane i of Vd += Vn.h[2i]·Vm.h[2i] + Vn.h[2i+1]·Vm.h[2i+1], bf16 (FEAT_BF16)"},
}

// Fields are an instruction's register numbers.
type Fields struct{ D, N, M uint32 }

// Encode is the instruction word of in with the registers f.
func (in Inst) Encode(f Fields) (uint32, error) {
	base, shifts, err := in.parse()
	if err != nil {
		return 0, err
	}
	w := base
	for field, v := range map[byte]uint32{'d': f.D, 'n': f.N, 'm': f.M} {
		if v > 31 {
			return 0, fmt.Errorf("%s: register %d out of range", in.Macro, v)
		}
		if s, ok := shifts[field]; ok {
			w |= v << s
		}
	}
	return w, nil
}

// parse reads the pattern: the fixed bits, and where each register field
// starts (its least significant bit).
func (in Inst) parse() (base uint32, shifts map[byte]uint, err error) {
	p := strings.ReplaceAll(in.Pattern, " ", "")
	if len(p) != 32 {
		return 0, nil, fmt.Errorf("%s: pattern has %d bits, want 32", in.Macro, len(p))
	}
	shifts = map[byte]uint{}
	widths := map[byte]int{}
	for i := 0; i < 32; i++ {
		bit := uint(31 - i)
		switch c := p[i]; c {
		case '0':
		case '1':
			base |= 1 << bit
		case 'd', 'n', 'm':
			shifts[c] = bit // the last (lowest) bit seen is the field's start
			widths[c]++
		default:
			return 0, nil, fmt.Errorf("%s: pattern character %q", in.Macro, c)
		}
	}
	for c, n := range widths {
		if n != 5 {
			return 0, nil, fmt.Errorf("%s: field %c has %d bits, want 5", in.Macro, c, n)
		}
	}
	return base, shifts, nil
}

// Header renders the assembler header: one macro per instruction, taking
// register numbers in the Arm manual's operand order (d, n, m).
func Header() (string, error) {
	var b strings.Builder
	b.WriteString("// Code generated by go generate (internal/kernels/neonenc); DO NOT EDIT.\n\n")
	b.WriteString("// arm64 vector instructions Go's assembler lacks, as WORD macros taking\n")
	b.WriteString("// register numbers in the Arm manual's operand order. See package neonenc.\n")
	for _, in := range Table {
		base, shifts, err := in.parse()
		if err != nil {
			return "", err
		}
		var params, terms []string
		for _, c := range []byte{'d', 'n', 'm'} {
			if s, ok := shifts[c]; ok {
				params = append(params, string(c))
				terms = append(terms, fmt.Sprintf("((%c)<<%d)", c, s))
			}
		}
		fmt.Fprintf(&b, "\n// %s: %s\n", strings.Replace(strings.Replace(strings.Replace(in.GNU, "%d", "<d>", 1), "%n", "<n>", 1), "%m", "<m>", 1), in.Doc)
		fmt.Fprintf(&b, "#define %s(%s) WORD $(0x%08x|%s)\n", in.Macro, strings.Join(params, ", "), base, strings.Join(terms, "|"))
	}
	return b.String(), nil
}

// Assembly is in's GNU syntax for the registers f.
func (in Inst) Assembly(f Fields) string {
	r := strings.NewReplacer("%d", fmt.Sprint(f.D), "%n", fmt.Sprint(f.N), "%m", fmt.Sprint(f.M))
	return r.Replace(in.GNU)
}
