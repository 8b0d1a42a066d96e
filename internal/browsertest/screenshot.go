package browsertest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Screenshot writes full-page PNGs of the page shown at desktop (1280 px)
// and mobile (390 px) width: <ScreenshotDir>/<name>-desktop.png and
// <name>-mobile.png. The viewport is the desktop one afterwards.
func (b *Browser) Screenshot(name string) {
	b.t.Helper()
	dir := b.ScreenshotDir
	if dir == "" {
		dir = DefaultScreenshotDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	defer b.resetViewport()
	for _, v := range []struct {
		suffix        string
		width, height int64
		mobile        bool
	}{{"desktop", DesktopWidth, DesktopHeight, false}, {"mobile", MobileWidth, MobileHeight, true}} {
		var png []byte
		b.Run("screenshot "+name+" "+v.suffix, chromedp.ActionFunc(func(ctx context.Context) error {
			var err error
			png, err = fullPage(ctx, v.width, v.height, v.mobile)
			return err
		}))
		path := filepath.Join(dir, name+"-"+v.suffix+".png")
		if err := os.WriteFile(path, png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
}

// fullPage captures the whole page laid out in a viewport of width×height.
func fullPage(ctx context.Context, width, height int64, mobile bool) ([]byte, error) {
	if err := setViewport(ctx, width, height, 1, mobile); err != nil {
		return nil, err
	}
	var size struct{ W, H float64 }
	err := chromedp.Evaluate(`({W: document.documentElement.scrollWidth,
		H: Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)})`, &size).Do(ctx)
	if err != nil {
		return nil, err
	}
	clip := &page.Viewport{Width: math.Max(size.W, float64(width)), Height: math.Max(size.H, 1), Scale: 1}
	return page.CaptureScreenshot().WithFormat(page.CaptureScreenshotFormatPng).
		WithCaptureBeyondViewport(true).WithClip(clip).Do(ctx)
}

// setViewport emulates a viewport and waits for the page to lay itself
// out again.
func setViewport(ctx context.Context, width, height int64, scale float64, mobile bool) error {
	if err := emulation.SetDeviceMetricsOverride(width, height, scale, mobile).Do(ctx); err != nil {
		return err
	}
	return chromedp.Evaluate(`new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`, nil, awaitPromise).Do(ctx)
}

func (b *Browser) resetViewport() {
	b.t.Helper()
	b.Run("reset the viewport", emulation.ClearDeviceMetricsOverride())
}

// zoomCheck lists the elements wider than the viewport when the page
// scrolls sideways.
const zoomCheck = `(() => {
	const root = document.documentElement, width = root.clientWidth;
	if (root.scrollWidth <= width) return [];
	const wide = [];
	for (const el of document.body.querySelectorAll('*')) {
		const r = el.getBoundingClientRect();
		if (r.right > width + 1 && wide.length < 10) {
			wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
				(el.classList.length ? '.' + [...el.classList].join('.') : '') + ' (' + Math.round(r.right) + ' px)');
		}
	}
	return ['the page is ' + root.scrollWidth + ' px wide in a ' + width + ' px viewport', ...wide];
})()`

// AssertZoom200 fails the test when the page shown scrolls sideways at
// 200 % zoom: a 1280 px screen zoomed twice is a 640 px viewport at
// device scale 2 (WCAG 1.4.4, RGAA 10.4). The viewport is reset after.
func (b *Browser) AssertZoom200() {
	b.t.Helper()
	defer b.resetViewport()
	var wide []string
	b.Run("zoom to 200 %", chromedp.ActionFunc(func(ctx context.Context) error {
		if err := setViewport(ctx, DesktopWidth/2, DesktopHeight/2, 2, false); err != nil {
			return err
		}
		return chromedp.Evaluate(zoomCheck, &wide).Do(ctx)
	}))
	if len(wide) > 0 {
		b.t.Errorf("%s at 200 %% zoom: %s", b.Path(), strings.Join(wide, "; "))
	}
}

// DefaultScreenshotDir is docs/screenshots/ui of the module the test runs
// in, found by walking up to go.mod from the working directory.
func DefaultScreenshotDir() string {
	root, err := moduleRoot()
	if err != nil {
		panic(fmt.Sprintf("browsertest: %v", err))
	}
	return filepath.Join(root, "docs", "screenshots", "ui")
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
