package model

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/lfm2go/lfm2/internal/kernels"
	"github.com/lfm2go/lfm2/internal/safetensors"
)

// binder fills tagged struct fields from a checkpoint and collects every
// problem, so one error lists all missing, mis-shaped and unexpected tensors.
type binder struct {
	src      source
	dims     map[string]int
	used     map[string]bool
	missing  []string
	problems []string
	// views is set when a []float32 field aliases checkpoint memory (f32
	// tensors); the checkpoint must then outlive the model.
	views bool
	// pending is the weight matrices found, converted by convert.
	pending []pendingMat
}

// pendingMat is a weight matrix to read from the source into field.
type pendingMat struct {
	name       string
	rows, cols int
	field      reflect.Value
}

var (
	matType   = reflect.TypeFor[kernels.Mat]()
	floatsTyp = reflect.TypeFor[[]float32]()
)

// bind walks the fields of the struct that ptr points to.
func (b *binder) bind(prefix string, ptr any) {
	v := reflect.ValueOf(ptr).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if name, ok := f.Tag.Lookup("tensor"); ok {
			b.bindTensor(prefix+name, f.Tag.Get("shape"), v.Field(i))
			continue
		}
		if p, ok := f.Tag.Lookup("prefix"); ok && f.Type.Kind() == reflect.Pointer && !v.Field(i).IsNil() {
			b.bind(prefix+p, v.Field(i).Interface())
		}
	}
}

func (b *binder) bindTensor(name, shapeTag string, field reflect.Value) {
	want, err := b.shape(shapeTag)
	if err != nil {
		panic(fmt.Sprintf("model: bad shape tag on %s: %v", name, err)) // a programming error
	}
	shape, ok := b.src.Shape(name)
	if !ok {
		b.missing = append(b.missing, fmt.Sprintf("%s %v", name, want))
		return
	}
	b.used[name] = true
	if !slices.Equal(shape, want) {
		b.problems = append(b.problems, fmt.Sprintf("%s has shape %v, want %v", name, shape, want))
		return
	}
	var val any
	switch field.Type() {
	case matType:
		b.pending = append(b.pending, pendingMat{name, want[0], product(want[1:]), field})
		return
	case floatsTyp:
		var view bool
		val, view, err = b.src.Floats(name)
		b.views = b.views || view
	default:
		panic(fmt.Sprintf("model: field for %s has unsupported type %s", name, field.Type()))
	}
	if err != nil {
		b.problems = append(b.problems, err.Error())
		return
	}
	field.Set(reflect.ValueOf(val))
}

// convert reads the pending weight matrices into their fields, threads at
// a time: converting a quantized file's blocks into the kernels' forms is
// most of a load's time. Problems are listed in the order the matrices
// were found, whatever order they finish in.
func (b *binder) convert(threads int) {
	mats, errs := make([]kernels.Mat, len(b.pending)), make([]error, len(b.pending))
	var wg sync.WaitGroup
	next := make(chan int)
	for range max(threads, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				p := b.pending[i]
				mats[i], errs[i] = b.src.Matrix(p.name, p.rows, p.cols)
			}
		}()
	}
	for i := range b.pending {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, p := range b.pending {
		if errs[i] != nil {
			b.problems = append(b.problems, errs[i].Error())
			continue
		}
		p.field.Set(reflect.ValueOf(mats[i]))
	}
	b.pending = nil
}

// shape evaluates a tag like "3*hidden,hidden".
func (b *binder) shape(tag string) ([]int, error) {
	var out []int
	for _, dim := range strings.Split(tag, ",") {
		n := 1
		for _, factor := range strings.Split(dim, "*") {
			if v, ok := b.dims[factor]; ok {
				n *= v
			} else if v, err := strconv.Atoi(factor); err == nil {
				n *= v
			} else {
				return nil, fmt.Errorf("unknown dimension %q", factor)
			}
		}
		out = append(out, n)
	}
	return out, nil
}

func product(xs []int) int {
	n := 1
	for _, x := range xs {
		n *= x
	}
	return n
}

// asMat views a tensor as a weight matrix without copying.
func asMat(t *safetensors.Tensor, rows, cols int) (kernels.Mat, error) {
	switch t.DType {
	case safetensors.BF16:
		u, err := t.U16()
		if err != nil {
			return kernels.Mat{}, err
		}
		return kernels.NewMatBF16(rows, cols, u)
	case safetensors.F16:
		u, err := t.U16()
		if err != nil {
			return kernels.Mat{}, err
		}
		return kernels.NewMatF16(rows, cols, u)
	default:
		f, err := asFloats(t)
		if err != nil {
			return kernels.Mat{}, err
		}
		return kernels.NewMatF32(rows, cols, f)
	}
}

// asFloats returns a tensor's values as float32: a view for f32, a widened
// copy for bf16 and f16 (used for the small vectors: norms, conv taps).
func asFloats(t *safetensors.Tensor) ([]float32, error) {
	switch t.DType {
	case safetensors.F32:
		return t.F32()
	case safetensors.BF16:
		u, err := t.U16()
		if err != nil {
			return nil, err
		}
		out := make([]float32, len(u))
		kernels.BF16ToF32(out, u)
		return out, nil
	case safetensors.F16:
		u, err := t.U16()
		if err != nil {
			return nil, err
		}
		out := make([]float32, len(u))
		for i, h := range u {
			out[i] = kernels.F16ToF32(h)
		}
		return out, nil
	}
	return nil, fmt.Errorf("tensor %s: unsupported dtype %s", t.Name, t.DType)
}

func (b *binder) err(extraOK func(string) bool) error {
	var unexpected []string
	for _, n := range b.src.Names() {
		if !b.used[n] && !extraOK(n) {
			unexpected = append(unexpected, n)
		}
	}
	if len(b.missing)+len(b.problems)+len(unexpected) == 0 {
		return nil
	}
	var parts []string
	if len(b.missing) > 0 {
		parts = append(parts, fmt.Sprintf("missing %d tensor(s): %s", len(b.missing), strings.Join(b.missing, ", ")))
	}
	if len(b.problems) > 0 {
		parts = append(parts, strings.Join(b.problems, "; "))
	}
	if len(unexpected) > 0 {
		parts = append(parts, fmt.Sprintf("unexpected %d tensor(s): %s", len(unexpected), strings.Join(unexpected, ", ")))
	}
	return fmt.Errorf("checkpoint does not match config: %s", strings.Join(parts, "; "))
}
