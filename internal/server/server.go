// Package server puts the engine behind an OpenAI-compatible HTTP API:
// /v1/chat/completions, /v1/completions and /v1/models, with llama-server's
// and vLLM's /health, /metrics, /tokenize and /detokenize beside them.
// Errors have OpenAI's shape and status codes; streams are server-sent
// events in OpenAI's chunk format.
package server

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lfm2go/lfm2/internal/engine"
	"github.com/lfm2go/lfm2/internal/sample"
	"github.com/lfm2go/lfm2/internal/tokenizer"
)

// Config is what the server needs besides the engine.
type Config struct {
	APIKey       string // when set, /v1, /tokenize and /detokenize need "Authorization: Bearer <key>"
	MaxBodyBytes int64  // larger request bodies get 413
	MaxN         int    // the largest n a request may ask for
}

// Backend is the loaded model: the engine service, its tokenizer, the
// name it is served under and its sampling settings.
type Backend struct {
	Service   *engine.Service
	Tokenizer *tokenizer.Tokenizer
	VocabSize int
	ModelID   string        // the name /v1/models reports and responses carry
	Defaults  sample.Params // for sampling fields a request leaves out
}

// Server serves the API. It answers /health with 503 until Ready.
type Server struct {
	cfg      Config
	backend  atomic.Pointer[Backend]
	draining atomic.Bool
	created  int64
	mux      *http.ServeMux
	http     httpCounts
}

// New makes a server that is loading.
func New(cfg Config) *Server {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 16 << 20
	}
	if cfg.MaxN <= 0 {
		cfg.MaxN = 16
	}
	s := &Server{cfg: cfg, created: time.Now().Unix(), mux: http.NewServeMux()}
	s.http.counts = map[string]uint64{}
	s.route("POST /v1/chat/completions", true, s.chatCompletions)
	s.route("POST /v1/completions", true, s.completions)
	s.route("GET /v1/models", true, s.models)
	s.route("GET /v1/models/{id...}", true, s.model)
	s.route("POST /tokenize", true, s.tokenize)
	s.route("POST /detokenize", true, s.detokenize)
	s.route("GET /health", false, s.health)
	s.route("GET /metrics", false, s.metrics)
	s.route("/", false, func(w http.ResponseWriter, r *http.Request) *apiError {
		return &apiError{Status: http.StatusNotFound, Type: "invalid_request_error", Code: "not_found",
			Message: fmt.Sprintf("no such endpoint: %s %s", r.Method, r.URL.Path)}
	})
	return s
}

// Ready makes the server answer requests with b.
func (s *Server) Ready(b *Backend) { s.backend.Store(b) }

// Drain makes new requests fail with 503 (running ones go on).
func (s *Server) Drain() { s.draining.Store(true) }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// handler is an endpoint; a returned error is written in OpenAI's shape.
type handler func(w http.ResponseWriter, r *http.Request) *apiError

// route registers h, behind the API key when protected. A pattern with a
// method answers other methods with 405 (ServeMux does that itself).
func (s *Server) route(pattern string, protected bool, h handler) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() { s.http.add(pattern, rec.status) }()
		if protected && !s.authorized(r) {
			writeError(rec, &apiError{Status: http.StatusUnauthorized, Type: "invalid_request_error", Code: "invalid_api_key",
				Message: "missing or wrong API key: send the header Authorization: Bearer <key> with the key given to --api-key"})
			return
		}
		r.Body = http.MaxBytesReader(rec, r.Body, s.cfg.MaxBodyBytes)
		if err := h(rec, r); err != nil {
			writeError(rec, err)
		}
	})
}

func (s *Server) authorized(r *http.Request) bool {
	if s.cfg.APIKey == "" {
		return true
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(s.cfg.APIKey)) == 1
}

// ready returns the backend, or the error for a server that cannot take
// requests (loading or shutting down).
func (s *Server) ready() (*Backend, *apiError) {
	if s.draining.Load() {
		return nil, errUnavailable("the server is shutting down")
	}
	b := s.backend.Load()
	if b == nil {
		return nil, errUnavailable("the model is still loading")
	}
	return b, nil
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) *apiError {
	switch {
	case s.draining.Load():
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "shutting down"})
	case s.backend.Load() == nil:
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "loading"})
	default:
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	}
	return nil
}

type modelCard struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
	MaxLen  int    `json:"max_model_len,omitempty"`
}

func (s *Server) card(b *Backend) modelCard {
	return modelCard{ID: b.ModelID, Object: "model", Created: s.created, OwnedBy: "lfm2", MaxLen: b.Service.Limits().MaxContext}
}

func (s *Server) models(w http.ResponseWriter, r *http.Request) *apiError {
	b, e := s.ready()
	if e != nil {
		return e
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": []modelCard{s.card(b)}})
	return nil
}

func (s *Server) model(w http.ResponseWriter, r *http.Request) *apiError {
	b, e := s.ready()
	if e != nil {
		return e
	}
	if id := r.PathValue("id"); id != b.ModelID {
		return &apiError{Status: http.StatusNotFound, Type: "invalid_request_error", Code: "model_not_found", Param: "model",
			Message: fmt.Sprintf("the model %q does not exist; this server has %q", id, b.ModelID)}
	}
	writeJSON(w, http.StatusOK, s.card(b))
	return nil
}

// apiError is an error response in OpenAI's shape.
type apiError struct {
	Status  int
	Message string
	Type    string
	Param   string
	Code    string
}

func (e *apiError) Error() string { return e.Message }

func badRequest(param, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Type: "invalid_request_error", Param: param, Message: fmt.Sprintf(format, args...)}
}

// errShutdown answers a request the server aborted while shutting down.
func errShutdown() *apiError {
	return errUnavailable("the server shut down before the answer was finished (--drain-timeout)")
}

func errUnavailable(msg string) *apiError {
	return &apiError{Status: http.StatusServiceUnavailable, Type: "server_error", Code: "unavailable", Message: msg}
}

// submitError maps an engine refusal to its HTTP answer.
func submitError(err error) *apiError {
	var inv *engine.InvalidError
	switch {
	case errors.As(err, &inv):
		return badRequest("messages", "%v", inv.Err)
	case errors.Is(err, engine.ErrQueueFull):
		return &apiError{Status: http.StatusTooManyRequests, Type: "rate_limit_error", Code: "queue_full",
			Message: "the request queue is full (--max-queue); retry later"}
	case errors.Is(err, engine.ErrClosed):
		return errUnavailable("the server is shutting down")
	}
	return &apiError{Status: http.StatusInternalServerError, Type: "server_error", Message: err.Error()}
}

func writeError(w http.ResponseWriter, e *apiError) {
	body := map[string]any{"message": e.Message, "type": e.Type, "param": nil, "code": nil}
	if e.Param != "" {
		body["param"] = e.Param
	}
	if e.Code != "" {
		body["code"] = e.Code
	}
	writeJSON(w, e.Status, map[string]any{"error": body})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// decodeBody reads a JSON request body into v, naming what was wrong.
func decodeBody(r *http.Request, v any) *apiError {
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &tooBig):
			return &apiError{Status: http.StatusRequestEntityTooLarge, Type: "invalid_request_error", Code: "request_too_large",
				Message: fmt.Sprintf("the request body is over the limit of %d bytes", tooBig.Limit)}
		case errors.As(err, &typeErr):
			field := strings.TrimPrefix(typeErr.Field, "genFields.") // the embedded struct is not part of the API
			return badRequest(field, "field %q: want %s, got JSON %s", field, typeErr.Type, typeErr.Value)
		}
		return badRequest("", "the body is not valid JSON: %v", err)
	}
	if dec.More() {
		return badRequest("", "the body has data after its JSON object")
	}
	return nil
}

func newID(prefix string) string {
	var b [12]byte
	rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// statusRecorder remembers the status for /metrics and passes Flush on.
type statusRecorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// httpCounts counts responses by route and status for /metrics.
type httpCounts struct {
	mu     sync.Mutex
	counts map[string]uint64 // "route\x00status"
}

func (c *httpCounts) add(route string, status int) {
	c.mu.Lock()
	c.counts[fmt.Sprintf("%s\x00%d", route, status)]++
	c.mu.Unlock()
}
