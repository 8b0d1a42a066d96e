package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// ChromiumPath is the browser the tests drive: Debian's chromium package.
// Builds that download their own browser cannot run on our machines.
const ChromiumPath = "/usr/bin/chromium"

// Desktop viewport: the width the pages are designed for first.
const (
	DesktopWidth  = 1280
	DesktopHeight = 800
	MobileWidth   = 390
	MobileHeight  = 844
)

// Browser is one tab of a headless Chromium, with its own cookies. Its
// methods fail the test on any error: use them from the test's goroutine.
type Browser struct {
	// BaseURL is put before the paths given to Open that start with "/"
	// (the test server's URL, testutil.Recours.URL).
	BaseURL string
	// ScreenshotDir is where Screenshot writes; docs/screenshots/ui of
	// the module by default.
	ScreenshotDir string
	// Timeout bounds each step (a navigation, a wait, a click); 20 s by
	// default.
	Timeout time.Duration

	t      testing.TB
	ctx    context.Context // the tab's chromedp context
	cancel context.CancelFunc

	mu       sync.Mutex
	problems []string // JavaScript exceptions and console errors
}

// New starts a headless Chromium for the test, closed when the test ends.
// It skips under -short and fails when Chromium is missing: make test
// installs it.
func New(t testing.TB) *Browser {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test: needs Chromium, skipped with -short")
	}
	if _, err := os.Stat(ChromiumPath); err != nil {
		t.Fatalf("no Chromium at %s: make test installs it (sh deploy/dev/ensure-chromium.sh): %v", ChromiumPath, err)
	}
	var output lockedBuffer
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(ChromiumPath),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(DesktopWidth, DesktopHeight),
		// Root in CI and a closed network: no sandbox, and nothing that
		// calls home (QUIC, component updates, sync) or it hangs.
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "fr-FR"),
		chromedp.CombinedOutput(&output),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	b := &Browser{t: t, ctx: ctx, Timeout: 20 * time.Second}
	b.cancel = func() {
		closeCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_ = chromedp.Cancel(closeCtx) // closes the browser gracefully
		cancelTab()
		cancelAlloc() // waits for the process to exit
	}
	// The first Run starts the browser and ties it to ctx: it must not
	// carry a step's timeout, so a timer bounds the start instead.
	timer := time.AfterFunc(time.Minute, cancelAlloc)
	err := chromedp.Run(ctx)
	timer.Stop()
	if err != nil {
		b.cancel()
		t.Fatalf("start Chromium: %v\n%s", err, output.String())
	}
	t.Cleanup(b.cancel)
	b.listen()
	return b
}

// NewSession opens a tab in the same Chromium with its own cookies and
// storage: another user signed in beside the first, without starting
// another browser. It is closed before its parent.
func (b *Browser) NewSession() *Browser {
	b.t.Helper()
	var (
		tid  target.ID
		bcid cdp.BrowserContextID
	)
	browser := func(ctx context.Context) context.Context {
		return cdp.WithExecutor(ctx, chromedp.FromContext(b.ctx).Browser)
	}
	b.Run("open a new browser session", chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		if bcid, err = target.CreateBrowserContext().Do(browser(ctx)); err != nil {
			return err
		}
		// Headless Chromium opens a tab in another browser context only
		// in a window of its own ("no browser is open" otherwise), which
		// chromedp.WithNewBrowserContext does not ask for.
		tid, err = target.CreateTarget("about:blank").WithBrowserContextID(bcid).
			WithNewWindow(true).WithWidth(DesktopWidth).WithHeight(DesktopHeight).Do(browser(ctx))
		return err
	}))
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithTargetID(tid))
	s := &Browser{BaseURL: b.BaseURL, ScreenshotDir: b.ScreenshotDir, Timeout: b.Timeout, t: b.t, ctx: ctx}
	s.cancel = func() {
		cancel() // closes the tab
		dctx, dcancel := context.WithTimeout(b.ctx, 5*time.Second)
		defer dcancel()
		_ = target.DisposeBrowserContext(bcid).Do(browser(dctx))
	}
	if err := chromedp.Run(ctx); err != nil {
		s.cancel()
		b.t.Fatalf("browser: attach to the new session's tab: %v", err)
	}
	b.t.Cleanup(s.cancel)
	s.listen()
	return s
}

// listen records the page's uncaught exceptions and console errors (a CSP
// violation among them), for ConsoleErrors.
func (b *Browser) listen() {
	chromedp.ListenTarget(b.ctx, func(ev any) {
		var msg string
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			msg = ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil && ev.ExceptionDetails.Exception.Description != "" {
				msg += " " + ev.ExceptionDetails.Exception.Description
			}
		case *log.EventEntryAdded:
			// The browser asks for /favicon.ico on its own: not the page's doing.
			if ev.Entry.Level != log.LevelError || strings.HasSuffix(ev.Entry.URL, "/favicon.ico") {
				return
			}
			msg = fmt.Sprintf("%s: %s (%s)", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
		case *runtime.EventConsoleAPICalled:
			if ev.Type != runtime.APITypeError {
				return
			}
			var parts []string
			for _, a := range ev.Args {
				if a.Value != nil {
					parts = append(parts, string(a.Value))
				} else {
					parts = append(parts, a.Description)
				}
			}
			msg = "console.error: " + strings.Join(parts, " ")
		default:
			return
		}
		b.mu.Lock()
		b.problems = append(b.problems, msg)
		b.mu.Unlock()
	})
}

// ConsoleErrors returns the uncaught exceptions and console errors seen
// since the browser started (a blocked script or style is one), and
// forgets them.
func (b *Browser) ConsoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.problems
	b.problems = nil
	return p
}

// Context is the tab's chromedp context, for steps the helpers lack.
func (b *Browser) Context() context.Context { return b.ctx }

// Run runs chromedp actions within one step's timeout, failing the test
// on error.
func (b *Browser) Run(what string, actions ...chromedp.Action) {
	b.t.Helper()
	if err := b.run(actions...); err != nil {
		b.t.Fatalf("browser: %s: %v", what, err)
	}
}

func (b *Browser) run(actions ...chromedp.Action) error {
	ctx, cancel := context.WithTimeout(b.ctx, b.Timeout)
	defer cancel()
	return chromedp.Run(ctx, actions...)
}

// resolve puts BaseURL before a path.
func (b *Browser) resolve(path string) string {
	if strings.HasPrefix(path, "/") && b.BaseURL != "" {
		return strings.TrimRight(b.BaseURL, "/") + path
	}
	return path
}

// Open loads a page (a URL, or a path under BaseURL), waits for it and
// returns its HTTP status, after redirects.
func (b *Browser) Open(path string) int {
	b.t.Helper()
	return b.navigation("open "+path, chromedp.Navigate(b.resolve(path)))
}

// navigation runs an action that loads a page and returns its status.
func (b *Browser) navigation(what string, a chromedp.Action) int {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, b.Timeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, a)
	if err != nil {
		b.t.Fatalf("browser: %s: %v", what, err)
	}
	if resp == nil {
		return 0
	}
	return int(resp.Status)
}

// URL is the address of the page shown.
func (b *Browser) URL() string {
	b.t.Helper()
	var u string
	b.Run("read the location", chromedp.Location(&u))
	return u
}

// Path is the path (and query) of the page shown.
func (b *Browser) Path() string {
	b.t.Helper()
	u, err := url.Parse(b.URL())
	if err != nil {
		b.t.Fatal(err)
	}
	return u.RequestURI()
}

// Fill types value into the field sel (a CSS selector) after clearing it,
// key by key as a user would; a <select> gets the option of that value.
func (b *Browser) Fill(sel, value string) {
	b.t.Helper()
	var tag string
	b.Run("find "+sel, chromedp.WaitVisible(sel, chromedp.ByQuery),
		chromedp.Evaluate(fmt.Sprintf(`document.querySelector(%s).tagName`, jsString(sel)), &tag))
	if tag == "SELECT" {
		var ok bool
		b.Run("choose "+value+" in "+sel, chromedp.Evaluate(fmt.Sprintf(`(() => {
			const el = document.querySelector(%s);
			if (![...el.options].some(o => o.value === %s)) return false;
			el.value = %s;
			el.dispatchEvent(new Event('input', {bubbles: true}));
			el.dispatchEvent(new Event('change', {bubbles: true}));
			return true;
		})()`, jsString(sel), jsString(value), jsString(value)), &ok))
		if !ok {
			b.t.Fatalf("browser: %s has no option %q", sel, value)
		}
		return
	}
	// chromedp.Clear fails on an empty <textarea> (it has no text node to
	// remove): the value is emptied in the page instead.
	b.Run("fill "+sel, chromedp.Evaluate(fmt.Sprintf(`(() => {
			const el = document.querySelector(%s);
			el.value = '';
			el.dispatchEvent(new Event('input', {bubbles: true}));
		})()`, jsString(sel)), nil),
		chromedp.SendKeys(sel, value, chromedp.ByQuery))
}

// Click clicks the element sel once it is visible, without waiting for
// what follows: WaitText for a partial update, ClickAndWait for a page.
func (b *Browser) Click(sel string) {
	b.t.Helper()
	b.Run("click "+sel, chromedp.Click(sel, chromedp.ByQuery, chromedp.NodeVisible))
}

// ClickAndWait clicks sel and waits for the page it loads (a link, a
// form's button), returning its HTTP status after redirects.
func (b *Browser) ClickAndWait(sel string) int {
	b.t.Helper()
	b.Run("find "+sel, chromedp.WaitVisible(sel, chromedp.ByQuery))
	return b.navigation("click "+sel, chromedp.Click(sel, chromedp.ByQuery, chromedp.NodeVisible))
}

// Submit submits the form sel (or the form of the field sel) as the
// Enter key would, its validation and handlers included, and waits for
// the page it loads, returning its HTTP status.
func (b *Browser) Submit(sel string) int {
	b.t.Helper()
	b.Run("find "+sel, chromedp.WaitReady(sel, chromedp.ByQuery))
	return b.navigation("submit "+sel, chromedp.Evaluate(fmt.Sprintf(`(() => {
		const el = document.querySelector(%s);
		const form = el.tagName === 'FORM' ? el : el.form;
		form.requestSubmit();
	})()`, jsString(sel)), nil))
}

// WaitText waits until the page's visible text contains text.
func (b *Browser) WaitText(text string) {
	b.t.Helper()
	expr := fmt.Sprintf(`document.body !== null && document.body.innerText.includes(%s)`, jsString(text))
	if err := b.waitUntil(expr); err != nil {
		b.t.Fatalf("browser: waiting for %q on %s: %v\npage text:\n%s", text, b.URL(), err, b.Text("body"))
	}
}

// WaitUntil waits until the JavaScript expression is true.
func (b *Browser) WaitUntil(expr string) {
	b.t.Helper()
	if err := b.waitUntil(expr); err != nil {
		b.t.Fatalf("browser: waiting until %s: %v", expr, err)
	}
}

// waitUntil polls from Go: chromedp.Poll builds its predicate with new
// Function, which the pages' Content-Security-Policy rightly forbids.
// Errors while a page is replaced (no context yet) are retried.
func (b *Browser) waitUntil(expr string) error {
	ctx, cancel := context.WithTimeout(b.ctx, b.Timeout)
	defer cancel()
	var last error
	for {
		var ok bool
		last = chromedp.Run(ctx, chromedp.Evaluate(`Boolean(`+expr+`)`, &ok))
		if last == nil && ok {
			return nil
		}
		select {
		case <-ctx.Done():
			if last != nil {
				return fmt.Errorf("%w (last: %v)", ctx.Err(), last)
			}
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// WaitVisible waits until the element sel is visible.
func (b *Browser) WaitVisible(sel string) {
	b.t.Helper()
	b.Run("wait for "+sel, chromedp.WaitVisible(sel, chromedp.ByQuery))
}

// Text is the visible text of the first element sel ("body" for the page).
func (b *Browser) Text(sel string) string {
	b.t.Helper()
	var s string
	b.Run("read the text of "+sel, chromedp.Evaluate(fmt.Sprintf(`(() => {
		const el = document.querySelector(%s);
		return el === null ? null : el.innerText;
	})()`, jsString(sel)), &s))
	return s
}

// Has tells whether an element sel is in the page now, without waiting.
func (b *Browser) Has(sel string) bool {
	b.t.Helper()
	var ok bool
	b.Run("look for "+sel, chromedp.Evaluate(fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(sel)), &ok))
	return ok
}

// Eval evaluates a JavaScript expression in the page and decodes its
// value (awaited when it is a promise) into res, which may be nil.
func (b *Browser) Eval(expr string, res any) {
	b.t.Helper()
	b.Run("evaluate "+expr, chromedp.Evaluate(expr, res, awaitPromise))
}

func awaitPromise(p *runtime.EvaluateParams) *runtime.EvaluateParams {
	return p.WithAwaitPromise(true)
}

// Cookies are the cookies the browser would send to the page shown,
// HttpOnly ones included.
func (b *Browser) Cookies() []*network.Cookie {
	b.t.Helper()
	var cookies []*network.Cookie
	b.Run("read the cookies", chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		cookies, err = network.GetCookies().Do(ctx)
		return err
	}))
	return cookies
}

// Cookie is the cookie name of the page shown, or nil.
func (b *Browser) Cookie(name string) *network.Cookie {
	b.t.Helper()
	for _, c := range b.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// SignIn signs a demo user in through the local sign-in page of the
// embedded default (/auth/login under BaseURL), by clicking its button,
// and waits for the page it lands on.
func (b *Browser) SignIn(login string) {
	b.t.Helper()
	if status := b.Open("/auth/login"); status != 200 {
		b.t.Fatalf("browser: the sign-in page answered %d", status)
	}
	sel := fmt.Sprintf(`button[name="login"][value=%s]`, jsString(login))
	b.ClickAndWait(sel)
	if b.Cookie(SessionCookie) == nil {
		b.t.Fatalf("browser: no session after signing %s in; page %s:\n%s", login, b.URL(), b.Text("body"))
	}
}

// SessionCookie is the name of the browser session's cookie (internal/auth/session.go).
const SessionCookie = "recours_session"

// jsString quotes s as a JavaScript (JSON) string literal.
func jsString(s string) string {
	out, _ := json.Marshal(s)
	return string(out)
}

// lockedBuffer collects Chromium's output, written from its own goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buf.Len() > 64<<10 {
		return len(p), nil
	}
	return l.buf.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
