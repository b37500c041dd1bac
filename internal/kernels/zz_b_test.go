package kernels

import "testing"

func BenchmarkZZT8x1024x1024(b *testing.B)  { benchMatMul(b, 8, 1024, 1024) }
func BenchmarkZZT8x1024x4608(b *testing.B)  { benchMatMul(b, 8, 1024, 4608) }
func BenchmarkZZT8x4608x1024(b *testing.B)  { benchMatMul(b, 8, 4608, 1024) }
func BenchmarkZZT8x1024x65536(b *testing.B) { benchMatMul(b, 8, 1024, 65536) }
