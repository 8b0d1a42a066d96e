package app

import (
	"context"
	"log/slog"

	"go.temporal.io/sdk/log"
)

// newTemporalLogger sends the SDK's logs to slog, dropping its debug and
// info chatter (warnings and errors still show).
func newTemporalLogger() log.Logger {
	return log.NewStructuredLogger(slog.New(levelFloor{slog.Default().Handler(), slog.LevelWarn}))
}

type levelFloor struct {
	slog.Handler
	min slog.Level
}

func (l levelFloor) Enabled(ctx context.Context, lv slog.Level) bool {
	return lv >= l.min && l.Handler.Enabled(ctx, lv)
}

func (l levelFloor) WithAttrs(attrs []slog.Attr) slog.Handler {
	return levelFloor{l.Handler.WithAttrs(attrs), l.min}
}

func (l levelFloor) WithGroup(name string) slog.Handler {
	return levelFloor{l.Handler.WithGroup(name), l.min}
}
