//go:build hftokenizers

package hftok

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/lfm2go/lfm2/internal/tokenizer"
)

// TestBackendsAgree: the pure-Go and Rust backends give the same ids and
// decodings on every reference case of both test tokenizers. It runs where
// libtokenizers.a is installed (go test -tags hftokenizers).
func TestBackendsAgree(t *testing.T) {
	for _, name := range []string{"lfm2like", "variant-b"} {
		dir := filepath.Join("..", "..", "..", "testdata", "tokenizers", name)
		goTok, err := tokenizer.Load(filepath.Join(dir, "tokenizer.json"))
		if err != nil {
			t.Fatal(err)
		}
		rust, err := Load(filepath.Join(dir, "tokenizer.json"))
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(filepath.Join(dir, "cases.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		n := 0
		for sc.Scan() {
			var c struct {
				Text string `json:"text"`
			}
			json.Unmarshal(sc.Bytes(), &c)
			for _, special := range []bool{false, true} {
				g, r := goTok.Encode(c.Text, special), rust.Encode(c.Text, special)
				if !slices.Equal(g, r) {
					t.Errorf("%s %q special=%v: go %v, rust %v", name, c.Text, special, g, r)
				}
				for _, skip := range []bool{false, true} {
					if gd, rd := goTok.Decode(g, skip), rust.Decode(g, skip); gd != rd {
						t.Errorf("%s %q decode skip=%v: go %q, rust %q", name, c.Text, skip, gd, rd)
					}
				}
			}
			n++
		}
		f.Close()
		rust.Close()
		if n < 100 {
			t.Fatalf("%s: only %d cases", name, n)
		}
	}
}
