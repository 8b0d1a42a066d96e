package testutil

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"recours/internal/app"
	"recours/internal/store"
)

// Recours is a running Recours for a test: embedded Temporal on a file in
// DataDir, the store at DatabaseURL, the worker, and the API over HTTP.
type Recours struct {
	*app.Embedded
	URL         string
	DataDir     string
	DatabaseURL string
	t           testing.TB
	srv         *httptest.Server
	tokens      map[string]string
}

// Start starts Recours on a fresh data dir and the given database URL
// ("" for SQLite in the data dir), stopped when the test ends.
func Start(t testing.TB, databaseURL string) *Recours {
	t.Helper()
	return StartIn(t, t.TempDir(), databaseURL)
}

// StartIn starts Recours on dataDir: starting again on the same dir and
// database is a restart.
func StartIn(t testing.TB, dataDir, databaseURL string) *Recours {
	t.Helper()
	return StartConfig(t, app.EmbeddedConfig{DataDir: dataDir, DatabaseURL: databaseURL})
}

// StartConfig starts Recours as cfg says (a real SMTP server for the
// messages, say); cfg.DataDir must be set.
func StartConfig(t testing.TB, cfg app.EmbeddedConfig) *Recours {
	t.Helper()
	dataDir, databaseURL := cfg.DataDir, cfg.DatabaseURL
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	e, err := app.StartEmbedded(ctx, cfg)
	if err != nil {
		t.Fatalf("start recours: %v", err)
	}
	// Tests and benchmarks drive many requests from one address and token:
	// the rate limits have their own test.
	e.API.Limits = nil
	r := &Recours{Embedded: e, DataDir: dataDir, DatabaseURL: databaseURL, t: t, tokens: map[string]string{}}
	r.srv = httptest.NewServer(e.API.Handler())
	r.URL = r.srv.URL
	t.Cleanup(r.Stop)
	return r
}

// Stop stops the API, the worker, Temporal and the store; idempotent.
func (r *Recours) Stop() {
	if r.srv == nil {
		return
	}
	r.srv.Close()
	r.srv = nil
	if err := r.Embedded.Close(); err != nil {
		r.t.Logf("stop recours: %v", err)
	}
}

// Token returns a token for login (cached per Recours).
func (r *Recours) Token(login string) string {
	r.t.Helper()
	if tok, ok := r.tokens[login]; ok {
		return tok
	}
	tok, err := r.Store.CreateToken(context.Background(), login, "test", time.Hour)
	if err != nil {
		r.t.Fatalf("token for %s: %v", login, err)
	}
	r.tokens[login] = tok
	return tok
}

// Response is an HTTP answer, its body read.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (resp Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(resp.Body, v); err != nil {
		t.Fatalf("decode %q: %v", resp.Body, err)
	}
}

// Map decodes the body as a JSON object.
func (resp Response) Map(t testing.TB) map[string]any {
	var m map[string]any
	resp.JSON(t, &m)
	return m
}

// Do sends a request as login ("" for none). body may be nil, a []byte
// sent as is, or a value encoded as JSON. headers alternate name, value.
func (r *Recours) Do(method, path, login string, body any, headers ...string) Response {
	r.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			r.t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, r.URL+path, rd)
	if err != nil {
		r.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if login != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token(login))
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		r.t.Fatal(err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: out}
}

// Complaint is a valid registration body for caf, to tweak per test. It
// confirms it is no duplicate, since tests register it again and again
// for the same claimant (delete the key to test the warning).
func Complaint(caf string) map[string]any {
	return map[string]any{
		"confirm_duplicate": true,
		"caf":               caf,
		"claimant":          map[string]any{"number": "1234567", "name": "Jeanne Martin", "email": "jeanne.martin@example.org"},
		"channel":           "online",
		"benefit":           "housing_aid",
		"reason":            "overpayment_not_understood",
		"subject":           "Trop-perçu d'aide au logement",
		"description":       "Je ne comprends pas pourquoi un trop-perçu m'est réclamé.",
	}
}

// Counts is how many files, events and queue entries the store holds.
type Counts struct{ Cases, Events, Notifications, Keys int64 }

// Counts reads the store's totals, to check that a refused request wrote
// nothing. The messages to claimants are left out: they are sent in the
// background after earlier, accepted requests, and may land at any time.
func (r *Recours) Counts() Counts {
	r.t.Helper()
	all, err := r.Store.Contents(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	c := Counts{Cases: all.Cases, Keys: all.IdempotencyKeys}
	for action, n := range all.EventsByAction {
		if action != "message_sent" && action != "message_failed" {
			c.Events += n
		}
	}
	for kind, n := range all.NotificationsByKind {
		if kind != "reach_claimant" {
			c.Notifications += n
		}
	}
	return c
}

// SQL is a connection of the test's own to Recours's database (see SQL),
// for a test that reads or alters tables around the store.
func (r *Recours) SQL() *sql.DB {
	r.t.Helper()
	url := r.DatabaseURL
	if url == "" {
		url = app.DatabaseURL(r.DataDir)
	}
	return SQL(r.t, url)
}

// Attach drives an API already serving at url on the store st (one the
// test wired itself, without the embedded default's parts).
func Attach(t testing.TB, url string, st *store.Store) *Recours {
	return &Recours{Embedded: &app.Embedded{Store: st}, URL: url, t: t, tokens: map[string]string{}}
}
