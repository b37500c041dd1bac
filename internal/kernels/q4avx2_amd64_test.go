//go:build amd64 && !purego

package kernels

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/cpu"
)

// TestQ4AVX2Kernels: both AVX2-family panel kernels — VPMADDUBSW, and
// ymm VPDPBUSD where the CPU has AVX-VNNI — give every row of a panel
// bit-identical results (TestQ4KernelsMatchSpecification checks only the
// one the family picks on this CPU against the specification; this checks
// both against it, to a few ulps, and against each other).
func TestQ4AVX2Kernels(t *testing.T) {
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA {
		t.Skip("needs AVX2 and FMA")
	}
	rng := rand.New(rand.NewPCG(97, 98))
	for _, K := range []int{32, 256, 4608} {
		w := randQ4(rng, 2*Q4Panel, K)
		x := randF32(rng, K)
		var a act8
		a.prepare(x, 1, K, roundAct8Go)
		nb := K / Q8Block
		for p := 0; p < 2; p++ {
			var madd, vnni [Q4Panel]float32
			q4Panel1AVX2(&a.q[0], &a.corr[0], &a.scale[0], &w.Q4[p*nb*q4PanelBlock], &w.Q4Scales[p*nb*Q4Panel], nb, &madd[0])
			if cpu.X86.HasAVXVNNI {
				q4Panel1AVXVNNI(&a.q[0], &a.corr[0], &a.scale[0], &w.Q4[p*nb*q4PanelBlock], &w.Q4Scales[p*nb*Q4Panel], nb, &vnni[0])
				if madd != vnni {
					t.Fatalf("K=%d panel %d: VPMADDUBSW %v, AVX-VNNI %v", K, p, madd, vnni)
				}
			}
			for l := range Q4Panel {
				want := dotQ4Go(&a, 0, &w, p*Q4Panel+l)
				if d := abs32(madd[l] - want); d > 1e-6*max(abs32(want), 1) {
					t.Fatalf("K=%d row %d: %v, specification %v", K, p*Q4Panel+l, madd[l], want)
				}
			}
		}
	}
}

// TestVEXDotEncoding: the VPDPBUSD_Y bytes in q4Panel1AVXVNNI's machine
// code are GNU as's `{vex} vpdpbusd` for each register triple the kernel
// uses (needs the x86-64 GNU assembler, `as`; a failure where
// LFM2_REQUIRE_X86_AS is set).
func TestVEXDotEncoding(t *testing.T) {
	as, err := exec.LookPath("as")
	if err != nil {
		if os.Getenv("LFM2_REQUIRE_X86_AS") != "" {
			t.Fatal("the GNU assembler (as) is required here")
		}
		t.Skip("no GNU assembler (as)")
	}
	var src bytes.Buffer
	type triple struct{ d, s1, s2 int }
	var used []triple
	for g := range 4 { // q4Panel1AVXVNNI's
		used = append(used, triple{14, 13, g}, triple{14, 12, g + 4})
	}
	used = append(used, triple{14, 13, 11}, triple{14, 12, 11}) // q4Panel1x4AVXVNNI's
	for _, r := range used {
		src.WriteString("{vex} vpdpbusd %ymm" + strconv.Itoa(r.s2) + ", %ymm" + strconv.Itoa(r.s1) + ", %ymm" + strconv.Itoa(r.d) + "\n")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "v.s"), src.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(as, "--64", "-o", filepath.Join(dir, "v.o"), filepath.Join(dir, "v.s")).CombinedOutput(); err != nil {
		if os.Getenv("LFM2_REQUIRE_X86_AS") != "" {
			t.Fatalf("as cannot assemble AVX-VNNI: %v %s", err, out)
		}
		t.Skipf("as cannot assemble AVX-VNNI here: %v %s", err, out)
	}
	out, err := exec.Command("objcopy", "-O", "binary", "-j", ".text", filepath.Join(dir, "v.o"), filepath.Join(dir, "v.bin")).CombinedOutput()
	if err != nil {
		t.Skipf("objcopy: %v %s", err, out)
	}
	want, err := os.ReadFile(filepath.Join(dir, "v.bin"))
	if err != nil || len(want) != 5*len(used) {
		t.Fatalf("GNU as gave %d bytes for %d instructions (%v)", len(want), len(used), err)
	}
	one, four := kernelCode(t, q4Panel1AVXVNNI, "q4Panel1AVXVNNI"), kernelCode(t, q4Panel1x4AVXVNNI, "q4Panel1x4AVXVNNI")
	for i, r := range used {
		code := one
		if i >= 8 {
			code = four
		}
		if !bytes.Contains(code, want[5*i:5*i+5]) {
			t.Errorf("vpdpbusd %%ymm%d, %%ymm%d, %%ymm%d: GNU as's bytes % x are not in the kernel", r.s2, r.s1, r.d, want[5*i:5*i+5])
		}
	}
}

// kernelCode is the start of the machine code of this package's assembly
// function fn. A Go function value of an assembly function points at Go's
// ABI wrapper, which calls the function: follow the wrapper's first CALL
// (checked by name through the runtime's symbol table, which go test's
// stripped binaries keep).
func kernelCode(t *testing.T, fn any, name string) []byte {
	t.Helper()
	pc := reflect.ValueOf(fn).Pointer()
	if f := runtime.FuncForPC(pc); f != nil && f.Entry() == pc && strings.HasSuffix(f.Name(), "."+name) {
		wrapper := codeAt(pc, 512)
		for i := 0; i+5 <= len(wrapper); i++ {
			if wrapper[i] != 0xe8 { // CALL rel32
				continue
			}
			target := uintptr(int64(pc) + int64(i+5) + int64(int32(binary.LittleEndian.Uint32(wrapper[i+1:]))))
			if g := runtime.FuncForPC(target); g != nil && strings.HasSuffix(g.Name(), "."+name) && g.Entry() == target {
				return codeAt(target, 1024)
			}
		}
	}
	t.Fatalf("cannot find %s's machine code behind its function value", name)
	return nil
}

// codeAt is n bytes of machine code at pc (text, never moved or freed;
// the uintptr goes through memory so that vet sees no arithmetic).
func codeAt(pc uintptr, n int) []byte {
	return unsafe.Slice((*byte)(*(*unsafe.Pointer)(unsafe.Pointer(&pc))), n)
}

// TestKQuantAVX2Kernels: the AVX2 family's Q5_K kernels without AVX-VNNI
// (VPMADDUBSW) equal the specification (to its rare double rounding) and,
// where the CPU has AVX-VNNI, the VPDPBUSD kernels bit for bit — the
// family chooses one of them by CPU, so each is tested here directly.
// (Q8_0, Q4_K and Q6_K without AVX-VNNI have their own: act16_test.go.)
func TestKQuantAVX2Kernels(t *testing.T) {
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA {
		t.Skip("needs AVX2 and FMA")
	}
	rng := rand.New(rand.NewPCG(101, 102))
	for _, f := range []Format{FormatQ5K} {
		for _, tk := range [][3]int{{1, 256, 16}, {3, 1024, 40}, {1, 4608, 20}} {
			T, K, N := tk[0], tk[1], tk[2]
			w := randKQuant(rng, f, N, K)
			x := randF32(rng, T*K)
			var want, madd, vnni []float32
			for _, v := range []struct {
				fam family
				out *[]float32
			}{{goFamily(), &want}, {avx2FamilyWith(false), &madd}, {avx2FamilyWith(true), &vnni}} {
				if v.out == &vnni && !cpu.X86.HasAVXVNNI {
					continue
				}
				p := newPool(1, v.fam, true)
				*v.out = make([]float32, T*N)
				p.MatMul(*v.out, x, T, &w)
				p.Close()
			}
			// The first activation row to meet a panel goes through the
			// streaming kernel, the next through the two-pass one: a row
			// twice gives the same result both times.
			for _, vnni := range []bool{false, true} {
				if vnni && !cpu.X86.HasAVXVNNI {
					continue
				}
				p := newPool(1, avx2FamilyWith(vnni), true)
				twice := make([]float32, 2*N)
				p.MatMul(twice, append(append([]float32(nil), x[:K]...), x[:K]...), 2, &w)
				p.Close()
				for i := 0; i < N; i++ {
					if twice[i] != twice[N+i] {
						t.Fatalf("%s K=%d row %d: streamed %v, from cache %v", f, K, i, twice[i], twice[N+i])
					}
				}
			}
			for i := range want {
				ulp := math.Nextafter32(max(abs32(want[i]), 1e-30), float32(math.Inf(1))) - max(abs32(want[i]), 1e-30)
				if d := abs32(madd[i] - want[i]); d > 4*ulp {
					t.Fatalf("%s T=%d K=%d element %d: VPMADDUBSW %v, specification %v", f, T, K, i, madd[i], want[i])
				}
				if vnni != nil && vnni[i] != madd[i] {
					t.Fatalf("%s T=%d K=%d element %d: VPMADDUBSW %v, AVX-VNNI %v", f, T, K, i, madd[i], vnni[i])
				}
			}
		}
	}
}

// TestKQuantAVX2ExtremeSums: quants all at their largest against
// activations all at ±127 (every 16-bit pair sum of the VPMADDUBSW
// kernels, kept through a block, at its largest): still the
// specification's integers.
func TestKQuantAVX2ExtremeSums(t *testing.T) {
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA {
		t.Skip("needs AVX2 and FMA")
	}
	const N, K = 16, 512
	for _, f := range []Format{FormatQ5K, FormatQ6K} { // Q4_K: act16_amd64_test.go
		subs, levels := kqShape(f)
		nsb := N * K / KQuantBlock
		q := make([]uint8, N*K)
		for i := range q {
			q[i] = uint8(levels - 1)
		}
		d, dmin, scales, mins := make([]uint16, nsb), make([]uint16, nsb), make([]int8, nsb*subs), make([]uint8, nsb*8)
		for i := range d {
			d[i], dmin[i] = F32ToF16(0.001), F32ToF16(0.002)
		}
		for i := range scales {
			scales[i], mins[i%len(mins)] = 63, 63
		}
		if f == FormatQ6K {
			dmin, mins = nil, nil
		}
		w, err := newMatKQuantWhole(f, N, K, q, d, dmin, scales, mins)
		if err != nil {
			t.Fatal(err)
		}
		checkExtremeSums(t, f.String(), &w)
	}
}

// checkExtremeSums runs activations all at ±127 (0.75 throughout: the
// block scale maps it to 127) through w with the Go specification and
// the AVX2 family's VPMADDUBSW kernels, twice (streamed, then from cache),
// and holds each output within its rounding of the specification's.
func checkExtremeSums(t *testing.T, name string, w *Mat) {
	t.Helper()
	N, K := w.Rows, w.Cols
	for _, sign := range []float32{1, -1} {
		x := make([]float32, 2*K)
		for i := range x {
			x[i] = sign * 0.75
		}
		want, got := make([]float32, 2*N), make([]float32, 2*N)
		p := newPool(1, goFamily(), true)
		p.MatMul(want, x, 2, w)
		p.Close()
		p = newPool(1, avx2FamilyWith(false), true)
		p.MatMul(got, x, 2, w)
		p.Close()
		for i := range want {
			if want[i] == 0 || abs32(got[i]-want[i]) > 1e-5*abs32(want[i]) {
				t.Fatalf("%s sign %v output %d: VPMADDUBSW %v, specification %v", name, sign, i, got[i], want[i])
			}
		}
	}
}
