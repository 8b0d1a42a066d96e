package embedded

import (
	"context"
	"log/slog"
	"os"
	"sync/atomic"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// slogLogger adapts Temporal's server logger interface to slog. Debug and Info
// are dropped unconditionally: the server logs every shard, ring and queue
// transition at those levels, which drowns the application's own output.
type slogLogger struct {
	l *slog.Logger
	// muted is set when Stop begins: services going down one by one make the
	// remaining ones log a burst of warnings and errors (failed polls, dial
	// errors, "Not enough hosts") that say nothing useful; a failed stop is
	// reported by Stop's return value instead.
	muted *atomic.Bool
}

var (
	_ log.Logger     = slogLogger{}
	_ log.WithLogger = slogLogger{}
)

func newSlogLogger(l *slog.Logger) slogLogger {
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	return slogLogger{l: l.With("component", "temporal"), muted: new(atomic.Bool)}
}

func (slogLogger) Debug(string, ...tag.Tag) {}
func (slogLogger) Info(string, ...tag.Tag)  {}

func (s slogLogger) Warn(msg string, tags ...tag.Tag)  { s.log(slog.LevelWarn, msg, tags) }
func (s slogLogger) Error(msg string, tags ...tag.Tag) { s.log(slog.LevelError, msg, tags) }

// DPanic only panics in development builds of zap; production (what the
// server normally runs with) logs at error level, so do the same.
func (s slogLogger) DPanic(msg string, tags ...tag.Tag) { s.log(slog.LevelError, msg, tags) }

// Panic and Fatal must not return: callers rely on it (e.g. they dereference
// a value that is nil on the failure path right after logging).
// They also bypass muting: the process is about to die, say why.
func (s slogLogger) Panic(msg string, tags ...tag.Tag) {
	s.l.LogAttrs(context.Background(), slog.LevelError, msg, attrs(tags)...)
	panic(msg)
}

func (s slogLogger) Fatal(msg string, tags ...tag.Tag) {
	s.l.LogAttrs(context.Background(), slog.LevelError, msg, attrs(append(tags, tag.NewBoolTag("fatal", true)))...)
	os.Exit(1)
}

// With lets the server pre-bind tags (service name, shard id...) once instead
// of re-sending them on every call.
func (s slogLogger) With(tags ...tag.Tag) log.Logger {
	if len(tags) == 0 {
		return s
	}
	return slogLogger{l: slog.New(s.l.Handler().WithAttrs(attrs(tags))), muted: s.muted}
}

func (s slogLogger) log(level slog.Level, msg string, tags []tag.Tag) {
	ctx := context.Background()
	if s.muted.Load() || !s.l.Enabled(ctx, level) {
		return // avoid encoding the tags for nothing
	}
	s.l.LogAttrs(ctx, level, msg, attrs(tags)...)
}

func attrs(tags []tag.Tag) []slog.Attr {
	out := make([]slog.Attr, 0, len(tags))
	for _, t := range tags {
		out = append(out, slog.Any(t.Key(), t.Value()))
	}
	return out
}
