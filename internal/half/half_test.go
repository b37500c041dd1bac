package half

import (
	"math"
	"testing"
)

func TestFromF32(t *testing.T) {
	for _, c := range []struct {
		f float32
		h uint16
	}{
		{0, 0}, {1, 0x3c00}, {-2, 0xc000}, {65504, 0x7bff}, {65520, 0x7c00}, {1e9, 0x7c00},
		{5.960464477539063e-08, 0x0001}, {2.9802322e-08, 0x0000}, {2.9802326e-08, 0x0001}, {6.097555e-05, 0x03ff},
		{6.1035156e-05, 0x0400}, {1.0004883, 0x3c00}, {1.0014648, 0x3c02}, {float32(math.Inf(-1)), 0xfc00},
	} {
		if got := FromF32(c.f); got != c.h {
			t.Errorf("FromF32(%g) = %#04x, want %#04x", c.f, got, c.h)
		}
	}
	// Every half but the NaNs round-trips exactly.
	for h := 0; h < 0x10000; h++ {
		if h&0x7c00 == 0x7c00 && h&0x3ff != 0 {
			continue
		}
		if got := FromF32(ToF32(uint16(h))); got != uint16(h) {
			t.Fatalf("round trip %#04x -> %#04x", h, got)
		}
	}
	if v := ToF32(0x7e00); v == v {
		t.Fatal("NaN did not stay NaN")
	}
}
