package httpx

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

// Limits bounds how fast one client may call: per source address before
// authentication, per credential (the token or the browser session that
// authenticated the request) after. A zero rate disables that limit.
//
// Each process keeps its own token buckets, which absorb a burst without
// a round trip. With Shared set (the production topology, where several
// API processes answer behind one address), every authenticated request
// also counts, in one statement, against its address and its credential
// in windows of Window shared by all processes: a client gets rate ×
// Window requests per window whatever the number of processes.
type Limits struct {
	PerIP      rate.Limit
	IPBurst    int
	PerToken   rate.Limit
	TokenBurst int
	// Shared counts hits across processes (nil: each process alone).
	Shared Counter
	// Window is the length of a shared window (10 s when zero).
	Window time.Duration

	once        sync.Once
	ips, tokens *limiters
	warned      atomic.Int64 // when a failing shared count was last logged (unix s)
}

// Counter counts hits in fixed windows shared by every process: Hit adds
// one to each key's count in the window starting at start and returns the
// counts, in the order of keys.
type Counter interface {
	Hit(ctx context.Context, start time.Time, keys []string) ([]int64, error)
}

// DefaultWindow is the length of a shared window.
const DefaultWindow = 10 * time.Second

// ctxCredential keeps the key of the credential that authenticated the
// request, set by the authentication step.
const ctxCredential = "recours.credential"

// SetCredential records what authenticated the request (kind "token" or
// "session", and the secret as it was checked, trimmed): the rate limit
// is keyed on it, hashed, so padding a token gives it no new bucket and no
// secret stays in memory longer than the request.
func SetCredential(c *gin.Context, kind, secret string) {
	c.Set(ctxCredential, kind+":"+hashKey(secret))
}

func hashKey(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}

// DefaultLimits suit a Caf's agents and partners: a person clicks a few
// times a second, a script may poll; a burst above this is abuse.
func DefaultLimits() *Limits {
	return &Limits{PerIP: 100, IPBurst: 200, PerToken: 50, TokenBurst: 100}
}

// limiters keeps one token bucket per key, forgetting idle keys.
type limiters struct {
	mu    sync.Mutex
	rate  rate.Limit
	burst int
	m     map[string]*limiterEntry
	swept time.Time
}

type limiterEntry struct {
	l    *rate.Limiter
	seen time.Time
}

func newLimiters(r rate.Limit, burst int) *limiters {
	return &limiters{rate: r, burst: burst, m: map[string]*limiterEntry{}}
}

// allow takes one token for key, or says how long to wait for one.
func (ls *limiters) allow(key string, now time.Time) (bool, time.Duration) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if now.Sub(ls.swept) > time.Minute {
		for k, e := range ls.m {
			if now.Sub(e.seen) > 10*time.Minute {
				delete(ls.m, k)
			}
		}
		ls.swept = now
	}
	e, ok := ls.m[key]
	if !ok {
		e = &limiterEntry{l: rate.NewLimiter(ls.rate, ls.burst)}
		ls.m[key] = e
	}
	e.seen = now
	if e.l.AllowN(now, 1) {
		return true, 0
	}
	return false, time.Duration(float64(time.Second) / float64(ls.rate))
}

func (l *Limits) init() {
	l.once.Do(func() {
		if l.PerIP > 0 {
			l.ips = newLimiters(l.PerIP, max(l.IPBurst, 1))
		}
		if l.PerToken > 0 {
			l.tokens = newLimiters(l.PerToken, max(l.TokenBurst, 1))
		}
	})
}

func tooMany(c *gin.Context, wait time.Duration) {
	c.Header("Retry-After", strconv.Itoa(int(math.Max(1, math.Ceil(wait.Seconds())))))
	WriteProblem(c, http.StatusTooManyRequests, "trop de requêtes : réessayez dans un instant", nil)
}

// ByAddress refuses a source address past its rate (429, Retry-After);
// nil Limits let everything through.
func (l *Limits) ByAddress(c *gin.Context) {
	if l != nil {
		l.init()
	}
	if l != nil && l.ips != nil {
		if ok, wait := l.ips.allow(c.ClientIP(), time.Now()); !ok {
			tooMany(c, wait)
			return
		}
	}
	c.Next()
}

// ByCredential runs once the request is authenticated: it refuses the
// credential SetCredential recorded past its rate in this process, then,
// with Shared, the address or the credential past its share of the
// current window across processes (429, Retry-After: the window's end).
func (l *Limits) ByCredential(c *gin.Context) {
	if l == nil {
		c.Next()
		return
	}
	l.init()
	credential := c.GetString(ctxCredential)
	now := time.Now()
	if l.tokens != nil && credential != "" {
		if ok, wait := l.tokens.allow(credential, now); !ok {
			tooMany(c, wait)
			return
		}
	}
	if l.Shared != nil {
		if ok, wait := l.shared(c, credential, now); !ok {
			tooMany(c, wait)
			return
		}
	}
	c.Next()
}

// shared counts the request against its address and its credential in the
// current shared window. A count that fails lets the request through
// (the buckets of this process still hold), logged once a minute.
func (l *Limits) shared(c *gin.Context, credential string, now time.Time) (bool, time.Duration) {
	window := l.Window
	if window <= 0 {
		window = DefaultWindow
	}
	start := now.Truncate(window)
	var keys []string
	var limits []float64
	if l.PerIP > 0 {
		keys, limits = append(keys, "ip:"+hashKey(c.ClientIP())), append(limits, float64(l.PerIP)*window.Seconds())
	}
	if l.PerToken > 0 && credential != "" {
		keys, limits = append(keys, credential), append(limits, float64(l.PerToken)*window.Seconds())
	}
	if len(keys) == 0 {
		return true, 0
	}
	counts, err := l.Shared.Hit(c.Request.Context(), start, keys)
	if err != nil {
		if last := l.warned.Load(); now.Unix()-last >= 60 && l.warned.CompareAndSwap(last, now.Unix()) {
			slog.WarnContext(c, "shared rate count failed: each process limits alone until it answers", "err", err)
		}
		return true, 0
	}
	for i, n := range counts {
		if i < len(limits) && float64(n) > math.Max(1, limits[i]) {
			return false, start.Add(window).Sub(now)
		}
	}
	return true, 0
}

// SecureHeaders sets the headers every answer carries: no sniffing, no
// framing, no referrer, a CSP that allows nothing but what the API serves,
// and HSTS when the request came over TLS (directly or through a proxy).
func SecureHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	h.Set("Cache-Control", "no-store")
	if c.Request.TLS != nil || c.GetHeader("X-Forwarded-Proto") == "https" {
		h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
	c.Next()
}
