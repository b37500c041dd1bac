package neonenc

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// registerSets exercise every bit of every register field.
var registerSets = []Fields{{0, 0, 0}, {1, 2, 4}, {31, 30, 29}, {8, 16, 1}, {21, 10, 5}}

// TestHeaderIsGenerated: the committed header is what the table renders.
func TestHeaderIsGenerated(t *testing.T) {
	want, err := Header()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../neon_arm64.h")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatal("../neon_arm64.h is stale: run go generate ./internal/kernels/")
	}
}

// TestEncodingsAgainstGNUAs assembles every table entry with GNU as for
// aarch64 (Debian's binutils-aarch64-linux-gnu) and compares the words.
// $LFM2_REQUIRE_AARCH64_AS=1 (make test-arm64) makes a missing assembler
// a failure rather than a skip.
func TestEncodingsAgainstGNUAs(t *testing.T) {
	as, err := exec.LookPath("aarch64-linux-gnu-as")
	if err != nil {
		if os.Getenv("LFM2_REQUIRE_AARCH64_AS") == "1" {
			t.Fatal("aarch64-linux-gnu-as not found (apt-get install binutils-aarch64-linux-gnu)")
		}
		t.Skip("aarch64-linux-gnu-as not found; install binutils-aarch64-linux-gnu to check the encodings")
	}
	objcopy, err := exec.LookPath("aarch64-linux-gnu-objcopy")
	if err != nil {
		t.Fatal("aarch64-linux-gnu-objcopy not found beside the assembler")
	}
	dir := t.TempDir()
	var src strings.Builder
	var want []uint32
	for _, in := range Table {
		for _, f := range registerSets {
			w, err := in.Encode(f)
			if err != nil {
				t.Fatal(err)
			}
			src.WriteString(in.Assembly(f) + "\n")
			want = append(want, w)
		}
	}
	s, o, bin := filepath.Join(dir, "t.s"), filepath.Join(dir, "t.o"), filepath.Join(dir, "t.bin")
	if err := os.WriteFile(s, []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(as, "-march=armv8.6-a+bf16+dotprod", "-o", o, s).CombinedOutput(); err != nil {
		t.Fatalf("as: %v\n%s", err, out)
	}
	if out, err := exec.Command(objcopy, "-O", "binary", "-j", ".text", o, bin).CombinedOutput(); err != nil {
		t.Fatalf("objcopy: %v\n%s", err, out)
	}
	code, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if len(code) != 4*len(want) {
		t.Fatalf("GNU as produced %d bytes for %d instructions", len(code), len(want))
	}
	lines := strings.Split(strings.TrimSpace(src.String()), "\n")
	for i, w := range want {
		if got := binary.LittleEndian.Uint32(code[4*i:]); got != w {
			t.Errorf("%s: table encodes %#08x, GNU as %#08x", lines[i], w, got)
		}
	}
}

func TestEncodeRejectsBadRegisters(t *testing.T) {
	if _, err := Table[0].Encode(Fields{D: 32}); err == nil {
		t.Fatal("register 32 accepted")
	}
	bad := Inst{Macro: "X", Pattern: "0101"}
	if _, err := bad.Encode(Fields{}); err == nil || !bytes.Contains([]byte(err.Error()), []byte("32")) {
		t.Fatalf("short pattern: %v", err)
	}
}
