package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startServer runs lfm2 serve on a free port and returns its base URL once
// it is ready, with the process (killed at cleanup if still running).
func startServer(t *testing.T, args ...string) (string, *exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve", "--model", fixture, "--port", "0"}, args...)...)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	ready := regexp.MustCompile(`serving .* at (http://\S+)/v1`)
	sc := bufio.NewScanner(stderr)
	var log bytes.Buffer
	deadline := time.AfterFunc(60*time.Second, func() { cmd.Process.Kill() })
	defer deadline.Stop()
	for sc.Scan() {
		log.WriteString(sc.Text() + "\n")
		if m := ready.FindStringSubmatch(sc.Text()); m != nil {
			go func() { // keep draining stderr so the server never blocks on it
				for sc.Scan() {
					log.WriteString(sc.Text() + "\n")
				}
			}()
			return m[1], cmd, &log
		}
	}
	t.Fatalf("the server never became ready:\n%s", log.String())
	return "", nil, nil
}

// TestServeDrainsOnSIGTERM: SIGTERM stops new requests, lets a running
// stream finish, and exits 0; past --drain-timeout a running stream ends
// with an error event and the process still exits 0.
func TestServeDrainsOnSIGTERM(t *testing.T) {
	for _, c := range []struct {
		name      string
		drain     string
		maxTokens int
		finished  bool
	}{
		{"drained", "60s", 1500, true},
		{"past the timeout", "300ms", 100000, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			url, cmd, _ := startServer(t, "--drain-timeout", c.drain, "--ctx", "110000", "--kv-memory", "128MiB")
			body, _ := json.Marshal(map[string]any{"prompt": "The worm", "max_tokens": c.maxTokens, "ignore_eos": true, "stream": true})
			resp, err := http.Post(url+"/v1/completions", "application/json", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			rd := bufio.NewReader(resp.Body)
			for range 4 {
				if _, err := rd.ReadString('\n'); err != nil {
					t.Fatal(err)
				}
			}
			cmd.Process.Signal(syscall.SIGTERM)
			time.Sleep(100 * time.Millisecond)
			if r, err := http.Post(url+"/v1/completions", "application/json", strings.NewReader(`{"prompt": "x"}`)); err == nil {
				if r.StatusCode != http.StatusServiceUnavailable {
					t.Errorf("a request after SIGTERM got %d", r.StatusCode)
				}
				r.Body.Close()
			}
			rest, _ := io.ReadAll(rd)
			tail := string(rest)
			if !strings.HasSuffix(tail, "data: [DONE]\n\n") {
				t.Fatalf("the stream did not end with [DONE]: ...%q", tail[max(0, len(tail)-300):])
			}
			// The events themselves, not the text: a random model's
			// tokens may spell "error" or a finish reason.
			lengthEnded, errorEvent := streamEnding(t, tail)
			if c.finished != lengthEnded || c.finished == errorEvent {
				t.Fatalf("finished=%v but the stream ends ...%q", c.finished, tail[max(0, len(tail)-300):])
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("exit: %v", err)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("the server did not exit")
			}
		})
	}
}

// streamEnding reads a completions stream's events: whether one ended a
// choice for its length, and whether one was an error event.
func streamEnding(t *testing.T, stream string) (lengthEnded, errorEvent bool) {
	t.Helper()
	for _, line := range strings.Split(stream, "\n") {
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok || data == "[DONE]" {
			continue
		}
		var ev struct {
			Choices []struct {
				FinishReason *string `json:"finish_reason"`
			}
			Error json.RawMessage
		}
		if err := json.Unmarshal([]byte(data), &ev); err != nil {
			t.Fatalf("a stream event is not JSON: %q", data)
		}
		errorEvent = errorEvent || ev.Error != nil
		for _, ch := range ev.Choices {
			lengthEnded = lengthEnded || (ch.FinishReason != nil && *ch.FinishReason == "length")
		}
	}
	return lengthEnded, errorEvent
}

// TestServeRefusesBadFlags: bad values are usage errors naming the flag.
func TestServeRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--port", "70000"}, {"--parallel", "0"}, {"--max-queue", "0"}, {"--kv-memory", "lots"},
		{"--max-body", "-1"}, {"--drain-timeout", "-1s"}, {"--ctx", "0"}, {"--max-n", "0"}, {"--host", "no such host!"},
		{"--temperature", "-1"}, {"--top-p", "0"}, {"--frequency-penalty", "3"},
	} {
		cmd := exec.Command(binary, append([]string{"serve", "--model", fixture}, args...)...)
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitUsage || !strings.Contains(string(out), args[0]) {
			t.Errorf("%v: exit %v, output %q", args, err, out)
		}
	}
}

// TestServeSamplingDefaults: the sampling flags given to serve are the
// defaults of requests that leave a setting out (here greedy, as
// temperature 0 makes it: two unseeded requests agree), and the log says
// where each setting came from.
func TestServeSamplingDefaults(t *testing.T) {
	url, _, log := startServer(t, "--temperature", "0", "--repetition-penalty", "1")
	complete := func() string {
		body := `{"prompt": "The worm", "max_tokens": 12, "ignore_eos": true}`
		resp, err := http.Post(url+"/v1/completions", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct{ Choices []struct{ Text string } }
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out.Choices) != 1 {
			t.Fatalf("answer: %v %+v", err, out)
		}
		return out.Choices[0].Text
	}
	if a, b := complete(), complete(); a != b || a == "" {
		t.Fatalf("--temperature 0 is not the default: %q then %q", a, b)
	}
	if !strings.Contains(log.String(), "temperature 0 (--temperature)") {
		t.Fatalf("the log does not say where the temperature came from:\n%s", log.String())
	}
}
