package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"golang.org/x/term"
)

// errInterruptLine is returned by a line reader when Ctrl-C was typed at
// the prompt (the caller prints a hint instead of leaving).
var errInterruptLine = errors.New("interrupted at the prompt")

// lineReader reads the user's turns.
type lineReader interface {
	ReadLine() (string, error) // io.EOF at the end of input or Ctrl-D
	Close() error
}

// plainLines reads lines from a pipe or file.
type plainLines struct{ r *bufio.Reader }

func (p plainLines) ReadLine() (string, error) {
	line, err := p.r.ReadString('\n')
	if err != nil && line == "" {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func (plainLines) Close() error { return nil }

// termLines edits lines in a terminal with x/term's Terminal (arrow keys,
// history, word movement), chosen over third-party readline packages
// because it is maintained with Go itself and already a dependency. The
// terminal is in raw mode only while a line is being typed, so Ctrl-C
// during an answer is still a signal that stops the answer.
type termLines struct {
	fd     int
	rw     io.ReadWriter
	t      *term.Terminal
	ctrlC  *atomic.Bool
	hist   *fileHistory
	prompt string
}

func newTermLines(in *os.File, out io.Writer, prompt string) *termLines {
	ctrlC := &atomic.Bool{}
	rw := struct {
		io.Reader
		io.Writer
	}{ctrlCSpy{in, ctrlC}, out}
	tl := &termLines{fd: int(in.Fd()), rw: rw, ctrlC: ctrlC, hist: openHistory(), prompt: prompt}
	tl.reset()
	return tl
}

// reset starts a fresh line editor (after Ctrl-C, whose half-typed line
// and cursor state x/term keeps); the history lives on.
func (tl *termLines) reset() {
	tl.t = term.NewTerminal(tl.rw, tl.prompt)
	tl.t.History = tl.hist
	if w, h, err := term.GetSize(tl.fd); err == nil {
		tl.t.SetSize(w, h)
	}
}

func (tl *termLines) ReadLine() (string, error) {
	old, err := term.MakeRaw(tl.fd)
	if err != nil {
		return "", fmt.Errorf("terminal: %w", err)
	}
	tl.ctrlC.Store(false)
	line, err := tl.t.ReadLine()
	term.Restore(tl.fd, old)
	if errors.Is(err, io.EOF) && tl.ctrlC.Load() {
		tl.reset()
		fmt.Fprintln(os.Stderr)
		return "", errInterruptLine // x/term reports Ctrl-C as EOF; tell them apart
	}
	if errors.Is(err, io.EOF) {
		fmt.Fprintln(os.Stderr)
	}
	return line, err
}

func (tl *termLines) Close() error { return tl.hist.close() }

// ctrlCSpy notes a Ctrl-C byte in what the terminal reads.
type ctrlCSpy struct {
	r     io.Reader
	ctrlC *atomic.Bool
}

func (s ctrlCSpy) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if strings.IndexByte(string(p[:n]), 3) >= 0 {
		s.ctrlC.Store(true)
	}
	return n, err
}

// historyMax is how many past lines are kept.
const historyMax = 1000

// fileHistory is x/term's History kept in $XDG_STATE_HOME/lfm2/history
// (~/.local/state/lfm2/history), one line per entry, appended as typed.
// Without a writable state folder it still works, in memory.
type fileHistory struct {
	lines []string // oldest first
	f     *os.File
}

func historyPath() string {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "lfm2", "history")
}

func openHistory() *fileHistory {
	h := &fileHistory{}
	p := historyPath()
	if p == "" {
		return h
	}
	if b, err := os.ReadFile(p); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if l != "" {
				h.lines = append(h.lines, l)
			}
		}
		if len(h.lines) > 2*historyMax { // compact the file now and then
			h.lines = h.lines[len(h.lines)-historyMax:]
			_ = os.WriteFile(p, []byte(strings.Join(h.lines, "\n")+"\n"), 0o600)
		}
		h.lines = h.lines[max(0, len(h.lines)-historyMax):]
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err == nil {
		h.f, _ = os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	}
	return h
}

func (h *fileHistory) Add(entry string) {
	if strings.TrimSpace(entry) == "" || strings.ContainsAny(entry, "\n\r") {
		return
	}
	if n := len(h.lines); n > 0 && h.lines[n-1] == entry {
		return
	}
	h.lines = append(h.lines, entry)
	if len(h.lines) > historyMax {
		h.lines = h.lines[1:]
	}
	if h.f != nil {
		h.f.WriteString(entry + "\n")
	}
}

func (h *fileHistory) Len() int { return len(h.lines) }

func (h *fileHistory) At(i int) string { return h.lines[len(h.lines)-1-i] }

func (h *fileHistory) close() error {
	if h.f == nil {
		return nil
	}
	return h.f.Close()
}
