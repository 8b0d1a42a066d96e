package httpx

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

// Limits bounds how fast one client may call: per source address before
// authentication, per token after. A zero rate disables that limit.
type Limits struct {
	PerIP       rate.Limit
	IPBurst     int
	PerToken    rate.Limit
	TokenBurst  int
	once        sync.Once
	ips, tokens *limiters
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

// ByCredential refuses a token (or a browser session, by its cookie
// named session) past its rate; the key is the credential's hash, so no
// secret is kept in memory longer than the request.
func (l *Limits) ByCredential(c *gin.Context, session string) {
	if l != nil {
		l.init()
	}
	if l != nil && l.tokens != nil {
		credential := strings.TrimPrefix(c.GetHeader("Authorization"), "Bearer ")
		if credential == "" {
			if cookie, err := c.Cookie(session); err == nil {
				credential = "session:" + cookie
			}
		}
		sum := sha256.Sum256([]byte(credential))
		if ok, wait := l.tokens.allow(hex.EncodeToString(sum[:]), time.Now()); !ok {
			tooMany(c, wait)
			return
		}
	}
	c.Next()
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
