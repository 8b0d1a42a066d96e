package faults_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"recours/internal/domain"
	"recours/internal/testutil"
)

// driver plays the agents through both APIs as a careful client does:
// every POST carries an Idempotency-Key; a 5xx or a lost answer is retried
// with the same key, on the other API process, after Retry-After, until a
// definitive answer.
type driver struct {
	top  *topology
	http *http.Client
	mu   sync.Mutex
	next int
	obs  *observed
	// think is how long an agent takes between two actions on a file, so
	// that many files are in the middle of their path when a fault comes.
	think time.Duration
}

func newDriver(top *topology) *driver {
	return &driver{top: top, http: &http.Client{Timeout: 45 * time.Second}}
}

// observed is what the clients saw during a phase.
type observed struct {
	mu             sync.Mutex
	statuses       map[int]int
	transport      int           // requests with no answer at all
	noRetryAfter   int           // 503s without Retry-After
	leaks          []string      // 5xx bodies telling internal details
	longestRequest time.Duration // one request
	longestOutcome time.Duration // from the first attempt to the definitive answer
}

func (o *observed) saw(status int, header http.Header, body []byte, took time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.statuses == nil {
		o.statuses = map[int]int{}
	}
	o.statuses[status]++
	o.longestRequest = max(o.longestRequest, took)
	if status == http.StatusServiceUnavailable && header.Get("Retry-After") == "" {
		o.noRetryAfter++
	}
	if status >= 500 {
		for _, secret := range []string{"postgres", "127.0.0.1", "dial", "sql", "temporal", "rpc error"} {
			if strings.Contains(strings.ToLower(string(body)), secret) {
				o.leaks = append(o.leaks, string(body))
				break
			}
		}
	}
}

// statusLine is the statuses seen, most frequent first.
func (o *observed) statusLine() string {
	codes := slices.Sorted(maps.Keys(o.statuses))
	var parts []string
	for _, c := range codes {
		parts = append(parts, fmt.Sprintf("%d×%d", c, o.statuses[c]))
	}
	if o.transport > 0 {
		parts = append(parts, fmt.Sprintf("no answer×%d", o.transport))
	}
	return strings.Join(parts, ", ")
}

func (d *driver) baseURL() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.next++
	return d.top.apiURLs[d.next%len(d.top.apiURLs)]
}

// send makes the request until it gets a definitive answer (below 500),
// and returns it.
func (d *driver) send(t *testing.T, method, path, login string, body any, key string) (int, []byte) {
	t.Helper()
	var payload []byte
	if body != nil {
		payload, _ = json.Marshal(body)
	}
	began := time.Now()
	for {
		req, err := http.NewRequest(method, d.baseURL()+path, bytes.NewReader(payload))
		if err != nil {
			t.Error(err)
			return 0, nil
		}
		req.Header.Set("Authorization", "Bearer "+d.top.tokens[login])
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		t0 := time.Now()
		resp, err := d.http.Do(req)
		wait := time.Second
		if err != nil {
			d.obs.mu.Lock()
			d.obs.transport++
			d.obs.mu.Unlock()
		} else {
			out, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			d.obs.saw(resp.StatusCode, resp.Header, out, time.Since(t0))
			if resp.StatusCode < 500 {
				d.obs.mu.Lock()
				d.obs.longestOutcome = max(d.obs.longestOutcome, time.Since(began))
				d.obs.mu.Unlock()
				return resp.StatusCode, out
			}
			if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
				wait = time.Duration(s) * time.Second
			}
		}
		if time.Since(began) > 4*time.Minute {
			t.Errorf("%s %s: no definitive answer after 4 minutes", method, path)
			return 0, nil
		}
		time.Sleep(wait)
	}
}

// fileRun is one complaint driven through its whole path: what was asked
// and what answered 2xx.
type fileRun struct {
	id       string
	number   string
	accepted []string // the actions that answered 2xx, created first
	refused  map[string]string
}

// complaintPath is the path every driven complaint takes.
var complaintPath = []struct {
	action, login string
	args          map[string]any
}{
	{"assign", "manager.demo", map[string]any{"assignee": "gca.demo"}},
	{"start", "gca.demo", map[string]any{}},
	{"answer", "gca.demo", map[string]any{"answer": "Votre aide au logement a été recalculée : le rappel sera versé le 10 du mois."}},
	{"close", "gca.demo", map[string]any{}},
}

// complaint registers complaint n of the phase and takes it to closed;
// body may change the registration.
func (d *driver) complaint(t *testing.T, phase string, n int, steps int, edit func(map[string]any)) *fileRun {
	t.Helper()
	run := &fileRun{number: fmt.Sprintf("%07d", 1_000_000+n), refused: map[string]string{}}
	body := testutil.Complaint("071")
	body["claimant"].(map[string]any)["number"] = run.number
	if edit != nil {
		edit(body)
	}
	status, out := d.send(t, "POST", "/api/v1/complaints", "csu.demo", body, fmt.Sprintf("%s-%d-create", phase, n))
	if status != http.StatusCreated {
		t.Errorf("%s: registration %d answered %d: %s", phase, n, status, out)
		return run
	}
	var file domain.Case
	if err := json.Unmarshal(out, &file); err != nil {
		t.Errorf("%s: registration %d: %v", phase, n, err)
		return run
	}
	run.id = file.ID
	run.accepted = append(run.accepted, "created")
	for _, step := range complaintPath[:steps] {
		time.Sleep(d.think)
		status, out := d.send(t, "POST", "/api/v1/cases/"+file.ID+"/actions/"+step.action, step.login, step.args,
			fmt.Sprintf("%s-%d-%s", phase, n, step.action))
		if status != http.StatusOK {
			run.refused[step.action] = fmt.Sprintf("%d %s", status, out)
			t.Errorf("%s: %s of file %d answered %d: %s", phase, step.action, n, status, out)
			return run
		}
		run.accepted = append(run.accepted, step.action)
	}
	return run
}
