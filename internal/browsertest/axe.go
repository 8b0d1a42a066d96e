package browsertest

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

//go:generate sh update_axe.sh

// axeSource is axe-core, vendored with its licence by update_axe.sh so the
// tests never need npm.
//
//go:embed vendor/axe.min.js
var axeSource string

//go:embed vendor/axe-core-VERSION
var axeVersion string

// AxeVersion is the version of the vendored axe-core.
func AxeVersion() string { return strings.TrimSpace(axeVersion) }

// AxeTags are the rule sets run: WCAG 2.0 and 2.1, levels A and AA, which
// RGAA 4 follows.
var AxeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// Violation is one axe-core rule that the page breaks, with the elements
// that break it.
type Violation struct {
	ID      string          `json:"id"`
	Impact  string          `json:"impact"` // minor, moderate, serious or critical
	Help    string          `json:"help"`
	HelpURL string          `json:"helpUrl"`
	Nodes   []ViolationNode `json:"nodes"`
}

// ViolationNode is one element breaking a rule.
type ViolationNode struct {
	Target  string `json:"target"` // CSS selector of the element
	HTML    string `json:"html"`
	Summary string `json:"summary"` // what to fix
}

// Blocking tells whether the violation fails AssertAccessible.
func (v Violation) Blocking() bool { return v.Impact == "serious" || v.Impact == "critical" }

func (v Violation) String() string {
	var s strings.Builder
	fmt.Fprintf(&s, "%s (%s): %s — %s", v.ID, v.Impact, v.Help, v.HelpURL)
	for _, n := range v.Nodes {
		fmt.Fprintf(&s, "\n    %s  %s", n.Target, n.HTML)
		if n.Summary != "" {
			fmt.Fprintf(&s, "\n      %s", strings.ReplaceAll(n.Summary, "\n", "\n      "))
		}
	}
	return s.String()
}

// axeRun runs axe on the document with AxeTags and returns its violations
// flattened for Go. It is evaluated through the DevTools protocol, which
// the page's Content-Security-Policy does not restrict.
const axeRun = `(async () => {
	const r = await axe.run(document, {runOnly: {type: 'tag', values: %s}, resultTypes: ['violations']});
	return r.violations.map(v => ({
		id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
		nodes: v.nodes.map(n => ({target: n.target.map(String).join(' '), html: n.html, summary: n.failureSummary || ''})),
	}));
})()`

// Axe injects axe-core into the page of the chromedp context ctx (once
// per page) and returns the WCAG 2.0/2.1 A and AA violations it finds.
func Axe(ctx context.Context) ([]Violation, error) {
	var present bool
	if err := chromedp.Run(ctx, chromedp.Evaluate(`typeof window.axe === 'object'`, &present)); err != nil {
		return nil, fmt.Errorf("axe: %w", err)
	}
	if !present {
		if err := chromedp.Run(ctx, chromedp.Evaluate(axeSource+"\n;true", nil)); err != nil {
			return nil, fmt.Errorf("axe: inject axe-core: %w", err)
		}
	}
	var out []Violation
	if err := chromedp.Run(ctx, chromedp.Evaluate(fmt.Sprintf(axeRun, jsStrings(AxeTags)), &out, awaitPromise)); err != nil {
		return nil, fmt.Errorf("axe: run: %w", err)
	}
	return out, nil
}

// Axe runs axe-core on the page shown, within a step's timeout.
func (b *Browser) Axe() []Violation {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, b.Timeout)
	defer cancel()
	v, err := Axe(ctx)
	if err != nil {
		b.t.Fatalf("browser: on %s: %v", b.URL(), err)
	}
	return v
}

// AssertAccessible runs axe-core on the page b shows and fails t on any
// violation of impact serious or critical, naming each rule, its impact,
// its help and the elements; minor and moderate ones are logged.
func AssertAccessible(t testing.TB, b *Browser) {
	t.Helper()
	var blocking, others []string
	for _, v := range b.Axe() {
		if v.Blocking() {
			blocking = append(blocking, v.String())
		} else {
			others = append(others, v.String())
		}
	}
	page := b.Path()
	if len(others) > 0 {
		t.Logf("axe-core %s on %s: %d minor or moderate violation(s):\n  %s", AxeVersion(), page, len(others), strings.Join(others, "\n  "))
	}
	if len(blocking) > 0 {
		t.Errorf("axe-core %s on %s: %d serious or critical violation(s):\n  %s", AxeVersion(), page, len(blocking), strings.Join(blocking, "\n  "))
	}
}

func jsStrings(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = jsString(s)
	}
	return "[" + strings.Join(q, ",") + "]"
}
