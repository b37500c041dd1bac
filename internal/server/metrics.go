package server

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/lfm2go/lfm2/internal/engine"
)

// metrics writes the Prometheus text format.
func (s *Server) metrics(w http.ResponseWriter, r *http.Request) *apiError {
	var b strings.Builder
	metric := func(name, kind, help string, value any) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n%s %v\n", name, help, name, kind, name, value)
	}
	up := 0
	if s.backend.Load() != nil {
		up = 1
	}
	metric("lfm2_ready", "gauge", "1 once the model is loaded.", up)
	if be := s.backend.Load(); be != nil {
		st := be.Service.Stats()
		metric("lfm2_requests_total", "counter", "Generation requests taken by the engine (one per choice).", st.Requests)
		metric("lfm2_requests_rejected_total", "counter", "Requests refused because the queue was full.", st.Rejected)
		metric("lfm2_prompt_tokens_total", "counter", "Prompt tokens of the requests taken.", st.PromptTokens)
		metric("lfm2_generation_tokens_total", "counter", "Tokens generated.", st.CompletionTokens)
		metric("lfm2_prefix_cache_hit_tokens_total", "counter", "Prompt tokens whose state came from the prefix cache.", st.CachedTokens)
		metric("lfm2_queue_depth", "gauge", "Requests waiting for a sequence slot.", st.Waiting)
		metric("lfm2_running_sequences", "gauge", "Sequences holding a slot.", st.Running)
		metric("lfm2_kv_blocks_used", "gauge", "KV cache blocks in use.", st.KVBlocksUsed)
		metric("lfm2_kv_blocks_free", "gauge", "KV cache blocks free.", st.KVBlocksTotal-st.KVBlocksUsed)
		fmt.Fprintf(&b, "# HELP lfm2_step_seconds Time of one engine step (forward pass and sampling).\n# TYPE lfm2_step_seconds histogram\n")
		var cum uint64
		for i, le := range engine.StepBounds() {
			cum += st.StepBuckets[i]
			fmt.Fprintf(&b, "lfm2_step_seconds_bucket{le=\"%s\"} %d\n", strconv.FormatFloat(le, 'g', -1, 64), cum)
		}
		cum += st.StepBuckets[len(st.StepBuckets)-1]
		fmt.Fprintf(&b, "lfm2_step_seconds_bucket{le=\"+Inf\"} %d\nlfm2_step_seconds_sum %g\nlfm2_step_seconds_count %d\n", cum, st.StepSeconds, st.Steps)
	}
	s.http.mu.Lock()
	keys := make([]string, 0, len(s.http.counts))
	for k := range s.http.counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b.WriteString("# HELP lfm2_http_responses_total HTTP responses by route and status.\n# TYPE lfm2_http_responses_total counter\n")
	for _, k := range keys {
		route, code, _ := strings.Cut(k, "\x00")
		fmt.Fprintf(&b, "lfm2_http_responses_total{route=%q,code=%q} %d\n", route, code, s.http.counts[k])
	}
	s.http.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Write([]byte(b.String()))
	return nil
}
