// Package browsertest drives the web interface in a real headless Chromium
// for tests: Debian's /usr/bin/chromium (make test installs it through
// deploy/dev/ensure-chromium.sh), driven over the DevTools protocol with
// chromedp. It offers the steps a page test needs (open, fill, click,
// submit, wait for text, read text and cookies), an accessibility check
// with the vendored axe-core (WCAG 2.0 and 2.1, levels A and AA), full-page
// screenshots at desktop and mobile width for the README, and a 200 % zoom
// check.
//
// Every step fails the test at once with what it was doing, so a test
// reads as its scenario:
//
//	r := testutil.Start(t, "")
//	b := browsertest.New(t)
//	b.BaseURL = r.URL
//	b.SignIn("csu.demo")
//	b.Open("/ui/intake")
//	browsertest.AssertAccessible(t, b)
//	b.Screenshot("intake")
//
// It imports only the standard library, chromedp and its protocol types:
// not the application, so any test (api, flow) may use it.
package browsertest
